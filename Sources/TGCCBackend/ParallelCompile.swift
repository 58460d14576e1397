import Dispatch
import Foundation
import TGCBase

/// Compiler runs done at once, as many at a time as there are cores, the costliest first.
package enum ParallelCompile {
    /// Runs `compiler` with each argument list (in order of `costs`, largest first) and returns
    /// the results in the order given.
    package static func run(_ compiler: String, _ argumentLists: [[String]], costs: [Int]) throws -> [ProcessRunner.Result] {
        let order = argumentLists.indices.sorted { costs[$0] > costs[$1] }
        let results = ResultSlots(count: argumentLists.count)
        DispatchQueue.concurrentPerform(iterations: order.count) { position in
            let job = order[position]
            results.set(job, Result { try ProcessRunner.run(compiler, argumentLists[job]) })
        }
        return try results.values.map { try $0!.get() }
    }

    /// One failed build's report from the results of its compiler runs: each diagnostic once
    /// (a message about the shared prelude comes from every unit), in unit order.
    package static func failure(_ results: [ProcessRunner.Result]) -> ProcessRunner.Result? {
        let failed = results.filter { $0.status != 0 }
        guard let first = failed.first else { return nil }
        var seen = Set<String>()
        var report = ""
        for result in failed {
            // A diagnostic is a line at column 0 with the indented lines (source, caret) after it.
            var blocks: [String] = []
            for line in (result.stderr + result.stdout).split(separator: "\n", omittingEmptySubsequences: false) {
                if line.first == " ", !blocks.isEmpty {
                    blocks[blocks.count - 1] += "\n" + line
                } else {
                    blocks.append(String(line))
                }
            }
            for block in blocks where !block.isEmpty && seen.insert(block).inserted { report += block + "\n" }
        }
        return ProcessRunner.Result(status: first.status, stdout: "", stderr: report)
    }

    /// Compiles the generated program `source` (written at `sourcePath`) as its translation
    /// units at once and links them with `linkArguments` into `outputPath`; as one compiler run
    /// when it is one unit. The kernels are compiled with `CToolchain.kernelOptimization`, the
    /// program's own unit with `CToolchain.programOptimization`. The result is the failed
    /// run's, or the link's.
    package static func buildProgram(_ compiler: String, flags: [String], source: String, sourcePath: String,
                                     kernelUnits: Int?, linkArguments: [String], outputPath: String) throws -> ProcessRunner.Result {
        let split = CTranslationUnits(source, path: sourcePath, kernelUnits: kernelUnits)
        guard split.units.count > 1 else {
            return try ProcessRunner.run(compiler, flags + CToolchain.kernelOptimization + [sourcePath] + linkArguments + ["-o", outputPath])
        }
        let folder = URL(fileURLWithPath: sourcePath).deletingPathExtension().path + "-units"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var objects: [String] = []
        var compiles: [[String]] = []
        for (index, unit) in split.units.enumerated() {
            let file = "\(folder)/unit\(index).c"
            try Data(unit.text.utf8).write(to: URL(fileURLWithPath: file))
            objects.append("\(folder)/unit\(index).o")
            let optimization = index == 0 ? CToolchain.programOptimization : CToolchain.kernelOptimization
            compiles.append(flags + optimization + ["-c", file, "-o", objects[index]])
        }
        let results = try run(compiler, compiles, costs: split.units.map(\.cost))
        if let failure = failure(results) { return failure }
        return try ProcessRunner.run(compiler, flags + objects + linkArguments + ["-o", outputPath])
    }
}

/// One slot per job for results written from several threads.
private final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<ProcessRunner.Result, any Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<ProcessRunner.Result, any Error>) {
        lock.lock()
        defer { lock.unlock() }
        slots[index] = result
    }

    var values: [Result<ProcessRunner.Result, any Error>?] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}
