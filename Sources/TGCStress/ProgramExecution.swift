import Foundation
import TGCBase
import TGCCBackend
import TGCCore
import TGCDriver

/// One program of generated units run four ways: eagerly (the evaluator over the
/// interpreter), as compiled IR on the interpreter (`ModuleRunner`: catches pass bugs), as a
/// generated C binary (catches lowering bugs) and as the generated CUDA program built against
/// the CPU emulation (catches CUDA renderer bugs). Each run saves into its own folder.
struct ProgramExecution {
    /// The four ways a program runs.
    enum Mode: String, CaseIterable {
        case eager, ir = "IR interpreter", c = "C", cuda = "CUDA emulated"
    }

    /// What one mode printed and saved, or why it failed.
    struct Run {
        var lines: [String] = []
        var failure: String?
        var folder: URL
    }

    var runs: [Mode: Run] = [:]
    var failed: Bool { runs.values.contains { $0.failure != nil } }

    /// Writes `units` as one program (and their data files) into `directory` and runs it.
    static func execute(_ units: [GenUnit], in directory: URL, flags: [String] = []) throws -> ProgramExecution {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("program.swiftdsl").path
        try Data(units.map(\.source).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
        for unit in units {
            for (name, tensor) in unit.dataFiles { try NPY.save(tensor, to: directory.appendingPathComponent(name).path) }
        }
        var execution = ProgramExecution()
        for mode in Mode.allCases {
            let folder = directory.appendingPathComponent(mode.rawValue.replacingOccurrences(of: " ", with: "-"))
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            var run = Run(folder: folder)
            do {
                run.lines = try execute(mode, path: path, folder: folder, flags: flags)
            } catch {
                run.failure = Pipeline.render(error, path: path)
            }
            execution.runs[mode] = run
        }
        return execution
    }

    private static func execute(_ mode: Mode, path: String, folder: URL, flags: [String]) throws -> [String] {
        switch mode {
        case .eager:
            return try Pipeline.eagerOutput(of: path, outputDirectory: folder.path).split(separator: "\n").map(String.init)
        case .ir:
            let context = RunContext()
            context.outputDirectory = folder.path
            var output = ""
            context.write = { output += $0 }
            try ModuleRunner.run(try Pipeline.module(of: path), context: context)
            return RunContext.lines(of: output)
        case .c:
            let binary = folder.appendingPathComponent("program").path
            try Pipeline.buildExecutable(path, to: binary, extraFlags: flags)
            return try runBinary(binary, folder: folder)
        case .cuda:
            let binary = folder.appendingPathComponent("program").path
            try Pipeline.buildCUDAExecutable(path, to: binary, emulate: true)
            return try runBinary(binary, folder: folder)
        }
    }

    /// Runs a generated binary saving into `folder`: its printed lines, or why it failed.
    private static func runBinary(_ binary: String, folder: URL) throws -> [String] {
        let result = try ChildProcess.run(binary, ["--out", folder.path], timeout: 120,
                                          environment: ["ASAN_OPTIONS": "detect_leaks=0"])
        guard !result.timedOut else { throw ToolError("the binary ran past 120 s") }
        guard result.status == 0, !result.signaled else {
            throw ToolError("the binary \(result.signaled ? "died of signal" : "exited with") \(result.status): \(result.stderr.prefix(2000))")
        }
        guard result.stderr.isEmpty else { throw ToolError("the binary wrote to stderr: \(result.stderr.prefix(2000))") }
        return result.stdout.split(separator: "\n").map(String.init)
    }

    /// How the modes disagree on `unit`: failures, differing saved files, differing prints.
    func differences(for unit: GenUnit) -> [String] {
        var result: [String] = []
        for mode in Mode.allCases {
            if let failure = runs[mode]?.failure { result.append("\(mode.rawValue) failed: \(failure)") }
        }
        guard result.isEmpty, let eager = runs[.eager], let ir = runs[.ir], let c = runs[.c], let cuda = runs[.cuda] else { return result }
        let pairs: [(String, Run, Run)] = [("eager vs C", eager, c), ("eager vs IR interpreter", eager, ir), ("IR interpreter vs C", ir, c),
                                           ("eager vs CUDA emulated", eager, cuda)]
        for (label, reference, candidate) in pairs {
            for output in unit.outputs {
                if let difference = OutputComparison.compare(output, reference: reference.folder, candidate: candidate.folder) {
                    result.append("\(label): \(difference)")
                }
            }
            let mine = { (run: Run) in run.lines.filter { $0.hasPrefix(unit.prefix + " ") } }
            if mine(reference) != mine(candidate) {
                result.append("\(label): printed \(mine(reference)) vs \(mine(candidate))")
            }
        }
        return result
    }
}
