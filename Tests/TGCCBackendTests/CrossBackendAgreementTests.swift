import Foundation
import Testing
@testable import TGCCBackend
@testable import TGCCore

/// Interpreter vs compiled C on every op family: saved tensors agree (see CrossBackend for the
/// tolerance) and printed text is identical.
@Suite(.enabled(if: gccAvailable, gccMissing))
struct CrossBackendAgreementTests {
    @Test func unaryOpsAndCasts() throws {
        try CrossBackend.expectAgreement(try AgreementPrograms.unary(), name: "unary")
    }

    @Test func binaryOpsWithBroadcastingAndSelect() throws {
        try CrossBackend.expectAgreement(try AgreementPrograms.binary(), name: "binary")
    }

    @Test func reshapeTransposeBroadcast() throws {
        try CrossBackend.expectAgreement(try AgreementPrograms.movement(), name: "movement")
    }

    @Test func reductionsOverEveryAxis() throws {
        try CrossBackend.expectAgreement(try AgreementPrograms.reductions(), name: "reductions")
    }

    @Test func matmulConstantsArange() throws {
        try CrossBackend.expectAgreement(try AgreementPrograms.sources(), name: "sources")
    }

    @Test func float64Int32Uint8AndTheirPromotion() throws {
        try CrossBackend.expectAgreement(try AgreementPrograms.dtypes(), name: "dtypes")
    }

    /// Same seed, same numbers: the default seed 0 and `--seed 5` against RunContext(seed: 5).
    @Test func randomStreamsAndManualSeed() throws {
        try CrossBackend.expectAgreement(try AgreementPrograms.random(), name: "random", seeds: [0, 5], exact: true)
    }

    @Test func loopsAndBranches() throws {
        try CrossBackend.expectAgreement(try AgreementPrograms.controlFlow(), name: "control")
    }

    /// A loop's stop flag ends it in both modes at the same iteration: the fourth of 1000.
    @Test func loopExitEndsTheLoop() throws {
        let module = try AgreementPrograms.loopExit()
        try CrossBackend.expectAgreement(module, name: "loop-exit", exact: true)
        let directory = try CrossBackend.makeDirectory("loop-exit-values")
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try CrossBackend.interpret(module, outputDirectory: directory)
        func saved(_ name: String) throws -> [Double] {
            let path = directory.appendingPathComponent(name + ".npy").path
            return try NPY.load(path, as: try NPY.readType(path)).elements
        }
        #expect(try saved("001_iterations_run") == [4])
        #expect(try saved("000_doubled_until_past_40") == [16, 32])
    }

    /// Exact: scatterAdd's sums run in index order and argsort is the runtime's in both modes.
    @Test func selectingOps() throws {
        try CrossBackend.expectAgreement(try AgreementPrograms.selection(), name: "selection", exact: true)
    }

    @Test func loggedScalarsAreIdentical() throws {
        try CrossBackend.expectAgreement(try AgreementPrograms.scalarLogs(), name: "scalar-logs", exact: true)
    }

    /// Exact: both modes run the runtime's tgc_conv2d_* (sgemm's bits do not depend on threads).
    @Test func convolutionOps() throws {
        try CrossBackend.expectAgreement(try AgreementPrograms.convolution(), name: "convolution", exact: true)
    }

    @Test func printedTextIsIdentical() throws {
        let lines = try CrossBackend.expectAgreement(try AgreementPrograms.printing(), name: "printing")
        #expect(lines.contains("Epoch 3: Loss = 0.1800"))
        #expect(lines.contains("repr 0.30000001192092896 fixed 0.3000 int -42 bool True"))
    }
}
