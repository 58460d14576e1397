import Foundation

/// The `tgc-stress` command line: `fuzz`, `difftest`, and the helpers the fuzz supervisor
/// runs as child processes (`fuzz-worker`, `replay`), plus `generate` to print a program.
public enum StressCommand {
    static let usage = """
    usage: tgc-stress fuzz [--seconds S] [--seed N] [--in-process] [--regressions DIR] [--work DIR]
           tgc-stress difftest [--count N] [--seed N] [--batch B] [--keep DIR]
           tgc-stress generate [--seed N]            print one generated program
           tgc-stress fuzz-worker --seed N --start I --seconds S --work DIR   (run by fuzz)
           tgc-stress replay FILE                    check one file in process (run by fuzz)
    """

    public static func main(_ arguments: [String]) -> Int32 {
        var options = StressOptions(Array(arguments.dropFirst()))
        do {
            switch options.command {
            case "fuzz": return try fuzz(&options)
            case "fuzz-worker": return try fuzzWorker(&options)
            case "replay": return replay(try options.finish(positional: 1).first)
            case "difftest": return try difftest(&options)
            case "generate":
                let seed = try options.integer("--seed", default: 1)
                _ = try options.finish()
                print(ProgramGenerator(seed: UInt64(seed)).unit(named: "u0").source, terminator: "")
                return 0
            default:
                FileHandle.standardError.write(Data((usage + "\n").utf8))
                return options.command == "--help" ? 0 : 2
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            return 2
        }
    }

    static func fuzz(_ options: inout StressOptions) throws -> Int32 {
        let seconds = try options.number("--seconds", default: 60)
        let seed = UInt64(try options.integer("--seed", default: Int(Date().timeIntervalSince1970)))
        let paths = RepositoryPaths(root: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        let work = URL(fileURLWithPath: options.value("--work") ?? ".build-fuzz")
        let regressions = URL(fileURLWithPath: options.value("--regressions") ?? paths.regressions.path)
        let inProcess = options.flag("--in-process")
        _ = try options.finish()
        let mutator = Mutator(corpus: corpusOrFallback(paths), seed: seed)
        print("fuzzing the front end for \(seconds) s, seed \(seed)\(inProcess ? ", in process" : "")")
        if inProcess {
            let report = try FuzzRunner(mutator: mutator, workDirectory: work).run(until: Date().addingTimeInterval(seconds))
            for finding in report.findings { print("input \(finding.index) (\(finding.input.mutations.joined(separator: ", "))): \(finding.problem)") }
            print("inputs tried: \(report.tried) (accepted \(report.accepted), diagnosed \(report.diagnosed)); crashes: 0; findings: \(report.findings.count)")
            return report.findings.isEmpty ? 0 : 1
        }
        let supervisor = FuzzSupervisor(seed: seed, workDirectory: work, regressions: regressions,
                                        executable: URL(fileURLWithPath: CommandLine.arguments[0]).path, root: paths.root)
        let report = try supervisor.run(seconds: seconds)
        print(report.summary)
        return report.crashes.isEmpty && report.findings.isEmpty ? 0 : 1
    }

    /// The corpus from the repository in the current folder, else from this source's repository.
    static func corpusOrFallback(_ paths: RepositoryPaths) -> [String] {
        let corpus = paths.corpus()
        return corpus.isEmpty ? RepositoryPaths.source.corpus() : corpus
    }

    static func fuzzWorker(_ options: inout StressOptions) throws -> Int32 {
        let seed = UInt64(try options.integer("--seed", default: 0))
        let start = try options.integer("--start", default: 0)
        let seconds = try options.number("--seconds", default: 60)
        let work = URL(fileURLWithPath: options.value("--work") ?? ".build-fuzz")
        let root = URL(fileURLWithPath: options.value("--root") ?? FileManager.default.currentDirectoryPath)
        _ = try options.finish()
        let runner = FuzzRunner(mutator: Mutator(corpus: corpusOrFallback(RepositoryPaths(root: root)), seed: seed), workDirectory: work)
        let report = try runner.run(from: start, until: Date().addingTimeInterval(seconds))
        try FuzzSupervisor.writeFindings(report.findings, to: work)
        print("worker: tried \(report.tried) accepted \(report.accepted) diagnosed \(report.diagnosed) findings \(report.findings.count)")
        return 0
    }

    /// Checks one file; exit 0 when clean, 3 when the diagnostic is malformed (a trap kills it).
    static func replay(_ file: String?) -> Int32 {
        guard let file else { return 2 }
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        FuzzRunner.trapIfInjected(text)
        switch FrontEndOracle.check(file, text: text) {
        case .accepted, .diagnosed: return 0
        case .malformed(let why):
            print(why)
            return 3
        }
    }

    static func difftest(_ options: inout StressOptions) throws -> Int32 {
        let count = try options.integer("--count", default: 100)
        let seed = UInt64(try options.integer("--seed", default: Int(Date().timeIntervalSince1970)))
        let batch = try options.integer("--batch", default: 5)
        let keep = options.value("--keep").map { URL(fileURLWithPath: $0) }
        _ = try options.finish()
        print("difftest: \(count) random programs, seed \(seed)")
        let runner = DiffRunner(seed: seed, batchSize: batch, keepDirectory: keep)
        let report = try runner.run(count: count, log: { print($0) })
        print(report.summary)
        return report.mismatches.isEmpty ? 0 : 1
    }
}
