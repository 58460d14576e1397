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
    /// Receives what each `print` writes, its terminator (a newline unless the program chose
    /// another) included.
    public var write: (String) -> Void = { text in
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// `text` as lines without their newlines (a last line without one counts too).
    public static func lines(of text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

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
