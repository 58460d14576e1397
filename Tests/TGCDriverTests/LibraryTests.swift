import Foundation
import Testing
@testable import TGCDriver

/// `tgc compile --emit lib` (docs/LANGUAGE.md, Deployment): the header's calling convention,
/// the samples in samples/deploy (C linking the static library, Python calling the shared one
/// through ctypes with TGC_TEST_PYTHON) agreeing with `tgc run`, bad calls giving error codes
/// (tests/library/check_errors.c), weights read from a safetensors file, the runtime's errors
/// returned, weights trained by the program itself, and programs a library
/// cannot be built from refused with a clear error.
@Suite(.serialized) struct LibraryTests {
    static let deploy = TestPaths.samples.appendingPathComponent("deploy")
    static let model = deploy.appendingPathComponent("classifier.swiftdsl").path

    /// Builds the sample's library into a new folder; its prefix (`FOLDER/classifier`).
    static func buildSampleLibrary() throws -> URL {
        let folder = try TestPaths.temporaryDirectory()
        let prefix = folder.appendingPathComponent("classifier")
        try Pipeline.buildLibrary(model, outputPrefix: prefix.path)
        return prefix
    }

    /// Compiles `source` against the library at `prefix` (linked statically) and runs it.
    static func compileAndRun(_ source: String, against prefix: URL, arguments: [String] = []) throws -> (Int32, String, String) {
        let folder = prefix.deletingLastPathComponent()
        let binary = folder.appendingPathComponent("program").path
        let library = folder.appendingPathComponent("lib\(prefix.lastPathComponent).a").path
        let (status, _, errors) = try TestPaths.execute("/usr/bin/env", ["gcc", "-O1", "-Wall", "-Werror", "-I", folder.path, source, library,
                                                                          "-fopenmp", "-lz", "-lm", "-lpthread", "-o", binary])
        #expect(status == 0, "gcc: \(errors)")
        return try TestPaths.execute(binary, arguments)
    }

    /// `model` written as NAME.swiftdsl in a fresh folder, compiled and run (what it prints
    /// comes back as `compiled`), then built as the library NAME (its prefix).
    static func compiledAndLibrary(_ name: String, model: String) throws -> (prefix: URL, compiled: String) {
        let folder = try TestPaths.temporaryDirectory()
        let source = folder.appendingPathComponent("\(name).swiftdsl")
        try Data(model.utf8).write(to: source)
        let executable = folder.appendingPathComponent("tgc-run").path
        try Pipeline.buildExecutable(source.path, to: executable)
        let (status, compiled, errors) = try TestPaths.execute(executable)
        #expect(status == 0, "\(errors)")
        let prefix = folder.appendingPathComponent(name)
        try Pipeline.buildLibrary(source.path, outputPrefix: prefix.path)
        return (prefix, compiled)
    }

    /// The C program `main` run against the library at `prefix` prints what the compiled
    /// program printed (`compiled`): `count` values, the first a sum (to 1e-3), the rest exactly.
    static func expectLibraryPrints(_ compiled: String, count: Int, main: String, against prefix: URL) throws {
        let program = prefix.deletingLastPathComponent().appendingPathComponent("main.c")
        try Data(main.utf8).write(to: program)
        let (status, printed, errors) = try compileAndRun(program.path, against: prefix)
        #expect(status == 0, "\(errors)")
        let (compiledValues, printedValues) = (compiled.split(separator: " "), printed.split(separator: " "))
        #expect(compiledValues.count == count && compiledValues.dropFirst() == printedValues.dropFirst(), "\(compiled) vs \(printed)")
        #expect(abs((Double(compiledValues[0]) ?? 0) - (Double(printedValues[0]) ?? 1)) < 1e-3, "\(compiled) vs \(printed)")
    }

    /// `nm -A`'s lines for the object `object` (`gen_NAME_FUNCTION.o`) of the static library at `prefix`.
    static func symbols(of object: String, in prefix: URL) throws -> [Substring] {
        let library = prefix.deletingLastPathComponent().appendingPathComponent("lib\(prefix.lastPathComponent).a").path
        let (status, symbols, _) = try TestPaths.execute("/usr/bin/env", ["nm", "-A", library])
        #expect(status == 0)
        return symbols.split(separator: "\n").filter { $0.contains("\(object):") }
    }

    @Test func headerDocumentsTheCallingConvention() throws {
        let prefix = try Self.buildSampleLibrary()
        let folder = prefix.deletingLastPathComponent()
        for file in ["classifier.h", "libclassifier.a", "libclassifier.so"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), "\(file) missing")
        }
        let header = try String(contentsOf: folder.appendingPathComponent("classifier.h"), encoding: .utf8)
        for line in [
            "typedef struct classifier_context classifier_context;",
            "CLASSIFIER_API classifier_context *classifier_create(void);",
            "CLASSIFIER_API classifier_context *classifier_create_from(const char *safetensors_path, char *error, size_t error_size);",
            "/*   conv.weight  float32[4, 1, 3, 3] */",
            "/*   bn.running_var  float32[4] */",
            "#define CLASSIFIER_WEIGHT_COUNT 8",
            "CLASSIFIER_API void classifier_destroy(classifier_context *ctx);",
            "CLASSIFIER_API const char *classifier_error_message(int code);",
            "CLASSIFIER_API const char *classifier_last_error(const classifier_context *ctx);",
            "CLASSIFIER_API int classifier_classify(classifier_context *ctx, const float *images, int64_t *out);",
            "#define CLASSIFIER_CLASSIFY_IMAGES_SHAPE { 16, 1, 8, 8 }",
            "#define CLASSIFIER_CLASSIFY_IMAGES_COUNT 1024",
            "#define CLASSIFIER_CLASSIFY_IMAGES_RANK 4",
            "#define CLASSIFIER_CLASSIFY_RESULT_SHAPE { 16 }",
            "#define CLASSIFIER_CLASSIFY_RESULT_COUNT 16",
            "    CLASSIFIER_OK = 0,",
            "    CLASSIFIER_ERROR_NULL_CONTEXT = 1,",
            "    CLASSIFIER_ERROR_INVALID_CONTEXT = 2,",
            "    CLASSIFIER_ERROR_NULL_POINTER = 3,",
            "    CLASSIFIER_ERROR_RUNTIME = 4,",
            "There is no global state",
        ] {
            #expect(header.contains(line), "header lacks: \(line)")
        }
        // Only the header's functions are exported from the shared library.
        let (status, symbols, _) = try TestPaths.execute("/usr/bin/env", ["nm", "-D", "--defined-only", folder.appendingPathComponent("libclassifier.so").path])
        #expect(status == 0)
        let names = symbols.split(separator: "\n").compactMap { $0.split(separator: " ").last.map(String.init) }
        #expect(names.sorted() == ["classifier_classify", "classifier_create", "classifier_create_from", "classifier_destroy", "classifier_error_message", "classifier_last_error"])
    }

    @Test func samplesAgreeWithTgcRunAndPyTorch() throws {
        let expected = try String(contentsOf: Self.deploy.appendingPathComponent("classifier.expected"), encoding: .utf8)
        #expect(try Pipeline.eagerOutput(of: Self.model) == expected)
        let prefix = try Self.buildSampleLibrary()
        let executable = prefix.deletingLastPathComponent().appendingPathComponent("tgc-run").path
        try Pipeline.buildExecutable(Self.model, to: executable)
        let (runStatus, compiled, runErrors) = try TestPaths.execute(executable)
        #expect(runStatus == 0, "\(runErrors)")
        #expect(compiled == expected)

        let images = Self.deploy.appendingPathComponent("images.npy").path
        let (status, printed, errors) = try Self.compileAndRun(Self.deploy.appendingPathComponent("classify.c").path, against: prefix, arguments: [images])
        #expect(status == 0, "\(errors)")
        #expect(printed == expected)

        guard let python = ProcessInfo.processInfo.environment["TGC_TEST_PYTHON"] else { return }
        let shared = prefix.deletingLastPathComponent().appendingPathComponent("libclassifier.so").path
        let (pythonStatus, fromPython, pythonErrors) = try TestPaths.execute(python, [Self.deploy.appendingPathComponent("classify.py").path, shared, images])
        #expect(pythonStatus == 0, "\(pythonErrors)")
        #expect(fromPython == expected)
    }

    /// `classifier_create_from` reads the weights of a safetensors file that `save(model, ...)`
    /// wrote (here with fc's bias pushing every image into class 2), and names a bad file.
    @Test func weightsLoadedFromSafetensors() throws {
        let prefix = try Self.buildSampleLibrary()
        let folder = prefix.deletingLastPathComponent()
        let model = try String(contentsOfFile: Self.model, encoding: .utf8)
        let structEnd = try #require(model.range(of: "let model = Net()"))
        let weights = Self.deploy.appendingPathComponent("classifier.safetensors").path
        try Data((model[..<structEnd.lowerBound] + """
            let model = Net()
            model.load("\(weights)")
            model.fc.bias = tensor([0.0, 0.0, 100.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
            save(model, "shifted.safetensors")
            """).utf8).write(to: folder.appendingPathComponent("shift.swiftdsl"))
        _ = try Pipeline.eagerOutput(of: folder.appendingPathComponent("shift.swiftdsl").path, outputDirectory: folder.path)
        let classify = Self.deploy.appendingPathComponent("classify.c").path
        let images = Self.deploy.appendingPathComponent("images.npy").path
        let shifted = folder.appendingPathComponent("shifted.safetensors").path
        let (status, printed, errors) = try Self.compileAndRun(classify, against: prefix, arguments: [images, shifted])
        #expect(status == 0, "\(errors)")
        #expect(printed == "tensor([2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2])\n")
        let (_, same, _) = try TestPaths.execute(folder.appendingPathComponent("program").path, [images, weights])
        #expect(same == (try String(contentsOf: Self.deploy.appendingPathComponent("classifier.expected"), encoding: .utf8)))
        let (missingStatus, _, missing) = try TestPaths.execute(folder.appendingPathComponent("program").path, [images, folder.appendingPathComponent("none.safetensors").path])
        #expect(missingStatus == 1)
        #expect(missing.contains("none.safetensors': No such file or directory"), "\(missing)")
        let other = TestPaths.samples.appendingPathComponent("data/cnn_init.safetensors").path
        let (_, _, wrongFile) = try TestPaths.execute(folder.appendingPathComponent("program").path, [images, other])
        #expect(wrongFile.contains("has no tensor 'conv.weight'"), "\(wrongFile)")

        guard let python = ProcessInfo.processInfo.environment["TGC_TEST_PYTHON"] else { return }
        let shared = folder.appendingPathComponent("libclassifier.so").path
        let (pythonStatus, fromPython, pythonErrors) = try TestPaths.execute(python, [Self.deploy.appendingPathComponent("classify.py").path, shared, images, shifted])
        #expect(pythonStatus == 0, "\(pythonErrors)")
        #expect(fromPython == printed)
    }

    /// The weight matrices of a context's products are packed once, when it is made (the
    /// generated function calls tgc_sgemm_prepacked, never tgc_sgemm, which packs per call), and
    /// follow its weights: a context made from a file whose fc.weight is negated classifies
    /// differently from one with the embedded weights, each the same on every call, in turn.
    @Test func packedWeightsFollowTheContext() throws {
        let prefix = try Self.buildSampleLibrary()
        let folder = prefix.deletingLastPathComponent()
        let classify = try Self.symbols(of: "gen_classifier_classify.o", in: prefix)
        #expect(classify.contains { $0.hasSuffix(" U tgc_sgemm_prepacked") }, "\(classify)")
        #expect(!classify.contains { $0.hasSuffix(" U tgc_sgemm") || $0.hasSuffix(" U tgc_sgemm_epilogue") }, "\(classify)")
        let header = try String(contentsOf: folder.appendingPathComponent("classifier.h"), encoding: .utf8)
        #expect(header.contains("the weight matrices of its matrix products, and its"))

        let model = try String(contentsOfFile: Self.model, encoding: .utf8)
        let structEnd = try #require(model.range(of: "let model = Net()"))
        let deploy = Self.deploy.path
        try Data((model[..<structEnd.lowerBound] + """
            let model = Net()
            model.load("\(deploy)/classifier.safetensors")
            model.eval()
            model.fc.weight = model.fc.weight.detach() * -1.0
            save(model, "negated.safetensors")
            let images = load("\(deploy)/images.npy").float().div(255).reshape([16, 1, 8, 8])
            save(images, "images.npy")
            print(model(images).argmax(dim: 1))
            """).utf8).write(to: folder.appendingPathComponent("negate.swiftdsl"))
        let negated = try Pipeline.eagerOutput(of: folder.appendingPathComponent("negate.swiftdsl").path, outputDirectory: folder.path)
        let embedded = try String(contentsOf: Self.deploy.appendingPathComponent("classifier.expected"), encoding: .utf8)
        #expect(negated != embedded)
        let program = TestPaths.root.appendingPathComponent("tests/library/check_packed.c").path
        let (status, printed, errors) = try Self.compileAndRun(program, against: prefix, arguments: [
            folder.appendingPathComponent("images.npy").path, folder.appendingPathComponent("negated.safetensors").path])
        #expect(status == 0, "\(errors)")
        #expect(printed == String(repeating: "embedded: " + embedded + "loaded: " + negated, count: 2))
    }

    /// A weight on the left of a product (A, 30 rows: two full panels and an edge one; elements of each checked) is
    /// packed once as well, and the library computes what the compiled program prints.
    @Test func weightOnTheLeftIsPacked() throws {
        let (prefix, compiled) = try Self.compiledAndLibrary("mix", model: """
            manualSeed(5)
            let model = Linear(40, 30)
            @export(x: [40, 20])
            func mix(x: Tensor) -> Tensor { model.weight.matmul(x).relu() }
            let y = mix(x: arange(0, 800).float().reshape([40, 20]) / 800.0)
            print("\\(y.sum().item(), precision: 5) \\(y[1, 0].item(), precision: 6) \\(y[20, 3].item(), precision: 6) \\(y[29, 19].item(), precision: 6)")
            """)
        let header = try String(contentsOf: prefix.deletingLastPathComponent().appendingPathComponent("mix.h"), encoding: .utf8)
        #expect(header.contains("(1 prepared)"))
        try Self.expectLibraryPrints(compiled, count: 4, main: """
            #include <stdio.h>
            #include "mix.h"
            int main(void) {
                mix_context *ctx = mix_create();
                float x[MIX_MIX_X_COUNT], y[MIX_MIX_RESULT_COUNT];
                for (int i = 0; i < MIX_MIX_X_COUNT; i++) x[i] = (float)i / 800.0f;
                if (mix_mix(ctx, x, y) != MIX_OK) return 1;
                double sum = 0;
                for (int i = 0; i < MIX_MIX_RESULT_COUNT; i++) sum += y[i];
                printf("%.5f %.6f %.6f %.6f\\n", (float)sum, y[1 * 20], y[20 * 20 + 3], y[29 * 20 + 19]);
                mix_destroy(ctx);
                return 0;
            }
            """, against: prefix)
    }

    /// A convolution that runs by Winograd (3x3, 16+ channels each way) reads its weights
    /// transformed once per context (tgc_conv2d_prepacked_f32, never tgc_conv2d_f32, which
    /// transforms them per call), and the library computes the compiled program's bits.
    @Test func convolutionWeightsArePrepared() throws {
        let (prefix, compiled) = try Self.compiledAndLibrary("convnet", model: """
            manualSeed(7)
            let conv = Conv2d(16, 20, 3, padding: 1)
            @export(x: [2, 16, 6, 5])
            func features(x: Tensor) -> Tensor { conv(x).relu() }
            let y = features(x: arange(0, 960).float().reshape([2, 16, 6, 5]) / 960.0 - 0.5)
            print("\\(y.sum().item(), precision: 5) \\(y[0, 1, 2, 3].item(), precision: 6) \\(y[1, 19, 5, 4].item(), precision: 6)")
            """)
        let header = try String(contentsOf: prefix.deletingLastPathComponent().appendingPathComponent("convnet.h"), encoding: .utf8)
        #expect(header.contains("(1 prepared)"))
        let features = try Self.symbols(of: "gen_convnet_features.o", in: prefix)
        #expect(features.contains { $0.hasSuffix(" U tgc_conv2d_prepacked_f32") }, "\(features)")
        #expect(!features.contains { $0.hasSuffix(" U tgc_conv2d_f32") }, "\(features)")
        try Self.expectLibraryPrints(compiled, count: 3, main: """
            #include <stdio.h>
            #include "convnet.h"
            int main(void) {
                convnet_context *ctx = convnet_create();
                float x[CONVNET_FEATURES_X_COUNT], y[CONVNET_FEATURES_RESULT_COUNT];
                for (int i = 0; i < CONVNET_FEATURES_X_COUNT; i++) x[i] = (float)i / 960.0f - 0.5f;
                for (int call = 0; call < 2; call++)
                    if (convnet_features(ctx, x, y) != CONVNET_OK) return 1;
                double sum = 0;
                for (int i = 0; i < CONVNET_FEATURES_RESULT_COUNT; i++) sum += y[i];
                printf("%.5f %.6f %.6f\\n", (float)sum, y[43], y[1199]);
                convnet_destroy(ctx);
                return 0;
            }
            """, against: prefix)
    }

    @Test func badCallsGiveErrorCodes() throws {
        let prefix = try Self.buildSampleLibrary()
        let program = TestPaths.root.appendingPathComponent("tests/library/check_errors.c").path
        let (status, printed, errors) = try Self.compileAndRun(program, against: prefix)
        #expect(status == 0, "\(errors)")
        #expect(printed == """
            null_context 1 the context is NULL
            null_context_last_error 1 the context is NULL
            null_input 3 classify: 'images' is NULL
            null_output 3 classify: 'out' is NULL
            success 0 success
            destroyed_context 2 the context is not live: destroyed, or not made by classifier_create
            unknown_code 99 unknown error code
            threads agree

            """)
    }

    @Test func runtimeErrorsAreReturned() throws {
        let folder = try TestPaths.temporaryDirectory()
        let model = folder.appendingPathComponent("trap.swiftdsl")
        try Data("""
            let table = tensor([1.0, 2.0, 3.0])
            @export(x: [2])
            func pick(x: Tensor) -> Tensor {
                table[x.long()]
            }
            """.utf8).write(to: model)
        let prefix = folder.appendingPathComponent("trap")
        try Pipeline.buildLibrary(model.path, outputPrefix: prefix.path)
        let program = folder.appendingPathComponent("main.c")
        try Data("""
            #include <stdio.h>
            #include "trap.h"
            int main(void) {
                trap_context *ctx = trap_create();
                float bad[TRAP_PICK_X_COUNT] = {0.0f, 7.0f}, good[TRAP_PICK_X_COUNT] = {1.0f, 2.0f}, y[TRAP_PICK_RESULT_COUNT];
                int code = trap_pick(ctx, bad, y);
                printf("%d %s\\n", code, trap_last_error(ctx));
                code = trap_pick(ctx, good, y);
                printf("%d %g %g\\n", code, y[0], y[1]);
                trap_destroy(ctx);
                return 0;
            }
            """.utf8).write(to: program)
        let (status, printed, errors) = try Self.compileAndRun(program.path, against: prefix)
        #expect(status == 0, "\(errors)")
        #expect(printed == "4 pick: \(model.path):4:5: index 7 is out of bounds for dimension 0 with size 3\n0 2 3\n")
    }

    /// The weights a library embeds are the ones the program ends with: here trained by SGD.
    @Test func weightsTrainedInTheSameProgram() throws {
        let folder = try TestPaths.temporaryDirectory()
        let model = folder.appendingPathComponent("trained.swiftdsl")
        try Data("""
            manualSeed(3)
            let xs = randn([32, 1])
            let ys = 3 * xs + 2
            let model = Linear(1, 1)
            let opt = SGD(model.parameters(), lr: 0.1)
            for step in 0..<20 {
                let loss = mseLoss(model(xs), ys)
                opt.zeroGrad()
                loss.backward()
                opt.step()
            }
            @export(x: [4, 1])
            func predict(x: Tensor) -> Tensor { model(x) }
            let y = predict(x: tensor([[0.0], [1.0], [-2.0], [0.5]]))
            print("\\(y[0, 0].item(), precision: 5) \\(y[1, 0].item(), precision: 5) \\(y[2, 0].item(), precision: 5) \\(y[3, 0].item(), precision: 5)")
            """.utf8).write(to: model)
        let executable = folder.appendingPathComponent("tgc-run").path
        try Pipeline.buildExecutable(model.path, to: executable)
        let (runStatus, compiled, runErrors) = try TestPaths.execute(executable)
        #expect(runStatus == 0, "\(runErrors)")
        #expect(compiled == "1.82925 4.48094 -3.47414 3.15510\n")
        let prefix = folder.appendingPathComponent("trained")
        try Pipeline.buildLibrary(model.path, outputPrefix: prefix.path)
        let program = folder.appendingPathComponent("main.c")
        try Data("""
            #include <stdio.h>
            #include "trained.h"
            int main(void) {
                trained_context *ctx = trained_create();
                float x[TRAINED_PREDICT_X_COUNT] = {0.0f, 1.0f, -2.0f, 0.5f}, y[TRAINED_PREDICT_RESULT_COUNT];
                if (trained_predict(ctx, x, y) != TRAINED_OK) return 1;
                printf("%.5f %.5f %.5f %.5f\\n", y[0], y[1], y[2], y[3]);
                trained_destroy(ctx);
                return 0;
            }
            """.utf8).write(to: program)
        let (status, printed, errors) = try Self.compileAndRun(program.path, against: prefix)
        #expect(status == 0, "\(errors)")
        #expect(printed == compiled)
    }

    @Test func programsWithoutALibraryAreRefused() throws {
        let folder = try TestPaths.temporaryDirectory()
        func refusal(_ source: String) throws -> String {
            let model = folder.appendingPathComponent("model.swiftdsl")
            try Data(source.utf8).write(to: model)
            let error = #expect(throws: (any Error).self) {
                try Pipeline.buildLibrary(model.path, outputPrefix: folder.appendingPathComponent("lib").path)
            }
            return error.map { Pipeline.render($0, path: model.path) } ?? ""
        }
        #expect(try refusal("print(1)\n").contains("has no exported function: '--emit lib' builds a library of the functions marked '@export(...)'"))
        #expect(try refusal("@export(x: [2])\nfunc f(x: Tensor) -> Tensor {\n    print(x)\n    return x\n}\n")
            .contains("exported function 'f' prints"))
        #expect(try refusal("@export(x: [2])\nfunc f(x: Tensor) -> Tensor { x + randn([2]) }\n")
            .contains("exported function 'f' draws random numbers"))
        #expect(try refusal("@export(x: [2])\nfunc f(x: Tensor) -> (Tensor, Tensor) { (x, x) }\n")
            .contains("an exported function returns one tensor; 'f' returns tuple"))
        #expect(try refusal("@export(out: [2])\nfunc f(out: Tensor) -> Tensor { out }\n")
            .contains("parameter 'out' of exported function 'f' needs another name"))
        #expect(try refusal("@export(x: [2])\nfunc create(x: Tensor) -> Tensor { x }\n")
            .contains("an exported function cannot be named 'create'"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("lib.h").path), "nothing half written")
    }
}
