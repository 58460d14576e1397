import CTGCRuntime
import Foundation
import TGCBase

/// What one run owns: the Philox stream, bound inputs, where output goes.
public final class RunContext {
    var rng = tgc_rng()
    /// Tensors bound to `input("name", ...)`.
    public var inputs: [String: Tensor] = [:]
    /// Folder that relative `save` paths go to.
    public var outputDirectory: String = "."
    /// Receives each printed line (without its newline).
    public var writeLine: (String) -> Void = { line in
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Printed text after the last newline, waiting for the rest of its line.
    private var pendingText = ""

    /// Swift's print: `text` then `terminator`; each completed line goes to `writeLine`.
    func print(_ text: String, terminator: String) {
        var lines = (pendingText + text + terminator).split(separator: "\n", omittingEmptySubsequences: false)
        pendingText = String(lines.removeLast())
        for line in lines { writeLine(String(line)) }
    }

    /// Text printed after the last newline (by prints with another terminator): what the run
    /// leaves on an unfinished last line.
    public var unfinishedLine: String { pendingText }

    public init(seed: UInt64 = 0) {
        tgc_rng_seed(&rng, seed)
    }

    func seed(_ value: UInt64) { tgc_rng_seed(&rng, value) }

    func uniformFloats(_ count: Int) -> [Float] {
        var buffer = [Float](repeating: 0, count: count)
        buffer.withUnsafeMutableBufferPointer { tgc_rng_uniform(&rng, $0.baseAddress, Int64(count)) }
        return buffer
    }

    func normalFloats(_ count: Int) -> [Float] {
        var buffer = [Float](repeating: 0, count: count)
        buffer.withUnsafeMutableBufferPointer { tgc_rng_normal(&rng, $0.baseAddress, Int64(count)) }
        return buffer
    }
}
