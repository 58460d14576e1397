import Foundation
import Testing
@testable import TGCDriver

/// Chapter 5's project end to end (issue 13), on the samples' default subset: cnn_fashion.swiftdsl
/// trains and saves cnn_fashion.safetensors; cnn_fashion_eval.swiftdsl, run beside that checkpoint,
/// prints what its PyTorch twin prints (cnn_fashion_eval.compiled-expected) and the test accuracy
/// cnn_fashion printed for its last epoch; the C library built from it, called by
/// samples/deploy/classify.c, classifies every one of those test images as the tgc program did.
@Suite(.serialized) struct CNNFashionProjectTests {
    static let trainer = TestPaths.samples.appendingPathComponent("cnn_fashion.swiftdsl")
    static let evaluator = TestPaths.samples.appendingPathComponent("cnn_fashion_eval.swiftdsl")

    /// Compiles `sample` and runs it in `folder`; what it printed.
    static func runCompiled(_ sample: URL, in folder: URL) throws -> String {
        let binary = folder.appendingPathComponent(sample.deletingPathExtension().lastPathComponent).path
        try Pipeline.buildExecutable(sample.path, to: binary)
        let (status, output, errors) = try TestPaths.execute(binary, in: folder)
        #expect(status == 0, "\(sample.lastPathComponent) exited with \(status): \(errors)")
        return output
    }

    /// The values of a little-endian int64 `.npy` file, as `save` writes them.
    static func int64Values(ofNpy url: URL) throws -> [Int64] {
        let data = try Data(contentsOf: url)
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        let header = String(decoding: data[10..<10 + headerLength], as: UTF8.self)
        #expect(header.contains("'descr': '<i8'"), "\(header)")
        return stride(from: 10 + headerLength, to: data.count, by: 8).map { start in
            data[start..<start + 8].reversed().reduce(Int64(0)) { $0 << 8 | Int64($1) }
        }
    }

    @Test func evalSampleAndLibraryAgreeWithTheTrainedModel() throws {
        let folder = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trained = try Self.runCompiled(Self.trainer, in: folder)
        let evaluator = folder.appendingPathComponent(Self.evaluator.lastPathComponent)
        try FileManager.default.copyItem(at: Self.evaluator, to: evaluator)

        let evaluated = try Self.runCompiled(evaluator, in: folder)
        let expected = try String(contentsOf: Self.evaluator.deletingPathExtension().appendingPathExtension("compiled-expected"), encoding: .utf8)
        #expect(evaluated == expected)
        let lastAccuracy = try #require(trained.split(separator: "\n").last?.split(separator: ", ").last)
        #expect(lastAccuracy.hasPrefix("test accuracy = "))
        #expect(evaluated.hasSuffix("\n\(lastAccuracy)\n"), "cnn_fashion ended with \(lastAccuracy); the eval sample printed \(evaluated)")
        try IRRoundTripTests().printParsePrintIsIdenticalAfterEveryPass(evaluator)

        // The library's eager run evaluates only 64 images: the weights are the checkpoint's all the same.
        let build = folder.appendingPathComponent("build")
        try FileManager.default.createDirectory(at: build, withIntermediateDirectories: true)
        let prefix = build.appendingPathComponent("classifier")
        try Pipeline.buildLibrary(evaluator.path, outputPrefix: prefix.path, hyperparameters: ["testLimit": "64"],
                                  outputDirectory: build.path)
        let images = folder.appendingPathComponent("fashion_test_images.npy").path
        let classify = LibraryTests.deploy.appendingPathComponent("classify.c").path
        let (status, printed, errors) = try LibraryTests.compileAndRun(classify, against: prefix, arguments: [images])
        #expect(status == 0, "\(errors)")
        let classes = printed.split(whereSeparator: { !$0.isNumber }).compactMap { Int64($0) }
        let predictions = try Self.int64Values(ofNpy: folder.appendingPathComponent("cnn_fashion_predictions.npy"))
        #expect(predictions.count == 500)
        #expect(classes == predictions, "the library's classes differ from the tgc program's on \(zip(classes, predictions).filter { $0 != $1 }.count) images")
    }
}
