import Foundation
import Testing
@testable import TGCDriver

/// Every sample runs eagerly and compiled; both outputs must equal the committed `.expected`.
@Suite struct GoldenSampleTests {
    static let samples = TestPaths.standaloneSamples.filter {
        FileManager.default.fileExists(atPath: $0.deletingPathExtension().path + ".expected")
    }

    static func expected(_ sample: URL) throws -> String {
        try String(contentsOfFile: sample.deletingPathExtension().path + ".expected", encoding: .utf8)
    }

    @Test func samplesExist() {
        #expect(Self.samples.count >= 10, "samples/ should hold the seed's programs with .expected files")
    }

    @Test(arguments: samples)
    func eagerOutputMatches(_ sample: URL) throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = try Pipeline.eagerOutput(of: sample.path, outputDirectory: directory.path)
        #expect(output == (try Self.expected(sample)), "eager output of \(sample.lastPathComponent)")
    }

    /// Compiled with every pass, and at -O0 (only the passes a program needs to run): the
    /// optimizations must not change what a program prints.
    @Test(arguments: samples, [true, false])
    func compiledOutputMatches(_ sample: URL, optimize: Bool) throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let binary = directory.appendingPathComponent("program").path
        try Pipeline.buildExecutable(sample.path, to: binary, optimize: optimize)
        let (status, output, errors) = try TestPaths.execute(binary, in: directory)
        #expect(status == 0, "\(sample.lastPathComponent) exited with \(status): \(errors)")
        #expect(output == (try Self.expected(sample)), "compiled output of \(sample.lastPathComponent) (optimize: \(optimize))")
    }

    /// Samples whose eager run is too slow for the suite (`NAME.compiled-expected`): compiled only.
    static let compiledOnly = TestPaths.standaloneSamples.filter {
        FileManager.default.fileExists(atPath: $0.deletingPathExtension().path + ".compiled-expected")
    }

    @Test(arguments: compiledOnly)
    func compiledOnlyOutputMatches(_ sample: URL) throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let binary = directory.appendingPathComponent("program").path
        try Pipeline.buildExecutable(sample.path, to: binary, optimize: true)
        let (status, output, errors) = try TestPaths.execute(binary, in: directory)
        #expect(status == 0, "\(sample.lastPathComponent) exited with \(status): \(errors)")
        let expected = try String(contentsOfFile: sample.deletingPathExtension().path + ".compiled-expected", encoding: .utf8)
        #expect(output == expected, "compiled output of \(sample.lastPathComponent)")
    }
}
