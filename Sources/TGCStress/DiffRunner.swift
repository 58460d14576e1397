import Foundation

/// Differential testing: generates random programs, runs them eagerly, as compiled IR on the
/// interpreter and as generated C, and compares what they save and print. Units are batched
/// several to a program so gcc runs stay few; a failing batch is rerun unit by unit, and each
/// failing unit is shrunk to the smallest program that still fails.
public struct DiffRunner {
    /// A unit on which the modes disagree, before and after shrinking.
    public struct Mismatch: Sendable {
        public var unitIndex: Int
        public var differences: [String]
        public var shrunkSource: String
    }

    /// What a run did.
    public struct Report: Sendable {
        public var programs = 0
        public var gccRuns = 0
        public var mismatches: [Mismatch] = []

        public var summary: String {
            var lines: [String] = []
            for mismatch in mismatches {
                lines.append("mismatch in program \(mismatch.unitIndex):")
                lines += mismatch.differences.prefix(4).map { "  " + $0.replacingOccurrences(of: "\n", with: "\n    ") }
                lines.append("  shrunk program:")
                lines += mismatch.shrunkSource.split(separator: "\n").map { "    " + $0 }
            }
            lines.append("programs tried: \(programs); mismatches: \(mismatches.count)")
            return lines.joined(separator: "\n")
        }
    }

    public let seed: UInt64
    public let batchSize: Int
    /// Where programs and outputs are kept (a temporary folder, removed afterwards, when nil).
    public let keepDirectory: URL?
    /// Extra gcc flags (the sanitizers, for example).
    public var flags: [String] = []
    /// How many candidate programs shrinking may try per mismatch.
    public var shrinkAttempts = 60

    public init(seed: UInt64, batchSize: Int = 5, keepDirectory: URL? = nil) {
        self.seed = seed
        self.batchSize = max(1, batchSize)
        self.keepDirectory = keepDirectory
    }

    /// Unit `index` of this run.
    public func unit(_ index: Int) -> GenUnit {
        var rng = SplitMix64(seed: seed, index: index)
        return ProgramGenerator(seed: rng.next()).unit(named: "u\(index)")
    }

    public func run(count: Int, log: (String) -> Void = { _ in }) throws -> Report {
        let root = keepDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("tgc-difftest-\(UUID().uuidString)")
        defer { if keepDirectory == nil { try? FileManager.default.removeItem(at: root) } }
        var report = Report()
        for start in stride(from: 0, to: count, by: batchSize) {
            let indices = Array(start..<min(count, start + batchSize))
            let units = indices.map(unit)
            let batch = try ProgramExecution.execute(units, in: root.appendingPathComponent("batch-\(start)"), flags: flags)
            report.gccRuns += 1
            for (index, unit) in zip(indices, units) {
                var execution = batch
                if batch.failed {
                    execution = try ProgramExecution.execute([unit], in: root.appendingPathComponent("unit-\(index)"), flags: flags)
                    report.gccRuns += 1
                }
                let differences = execution.differences(for: unit)
                guard !differences.isEmpty else { continue }
                log("program \(index): \(differences[0].prefix(300)) (shrinking)")
                let shrunk = shrink(unit, like: differences, in: root.appendingPathComponent("shrink-\(index)"), gccRuns: &report.gccRuns)
                report.mismatches.append(Mismatch(unitIndex: index, differences: differences, shrunkSource: shrunk.source))
            }
            report.programs += indices.count
            log("programs tried: \(report.programs), mismatches: \(report.mismatches.count)")
        }
        return report
    }

    /// The kind of a difference, which a shrunk program must keep: the failing mode and its
    /// message without the position, or just "values" for differing outputs.
    static func kind(_ difference: String) -> String {
        guard let failed = difference.range(of: " failed: ") else { return "values" }
        let message = difference[failed.upperBound...].split(separator: "\n").first.map(String.init) ?? ""
        return difference[..<failed.upperBound] + (message.range(of: " error: ").map { String(message[$0.upperBound...]) } ?? message)
    }

    func shrink(_ unit: GenUnit, like differences: [String], in folder: URL, gccRuns: inout Int) -> GenUnit {
        let wanted = Set(differences.map(Self.kind))
        var attempt = 0
        var shrinker = Shrinker(attempts: shrinkAttempts)
        var runs = 0
        defer { gccRuns += runs }
        return shrinker.shrink(unit) { candidate in
            attempt += 1
            runs += 1
            guard let execution = try? ProgramExecution.execute([candidate], in: folder.appendingPathComponent("\(attempt)"), flags: flags) else { return false }
            return !wanted.isDisjoint(with: execution.differences(for: candidate).map(Self.kind))
        }
    }
}
