import CTGCRuntime
import Foundation
import TGCBase

/// What one run owns: the Philox stream, bound inputs, where output goes.
public final class RunContext {
    var rng = tgc_rng()
    /// Tensors bound to `input("name", ...)`.
    public var inputs: [String: Tensor] = [:]
    /// The threads the float32 products, convolutions and large elementwise results run on
    /// (`tgc run --eager --threads N`; all cores by default, as a compiled program's OpenMP).
    public var threads = ProcessInfo.processInfo.activeProcessorCount {
        didSet { ThreadedKernels.elementwiseThreads.store(threads, ordering: .relaxed) }
    }
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

    /// The log folders `addScalar` wrote to; the run's end closes their files.
    private var summaryFolders: Set<String> = []

    public init(seed: UInt64 = 0) {
        tgc_rng_seed(&rng, seed)
    }

    deinit {
        for folder in summaryFolders { tgc_summary_close(folder) }
    }

    /// `writer.addScalar`: through the C runtime, as a generated program logs it.
    func addScalar(folder: String, tag: String, value: Float, step: Int64, at location: SourceLocation) throws {
        let path = folder.hasPrefix("/") ? folder : outputDirectory + "/" + folder
        summaryFolders.insert(path)
        do {
            try RuntimeCall.check { tgc_summary_add_scalar(path, tag, step, value, $0, $1) }
        } catch let error as ToolError {
            throw Diagnostic(error.message, at: location)
        }
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
