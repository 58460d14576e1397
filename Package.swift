// swift-tools-version:6.0
// tgc: an ahead-of-time compiler for static tensor graphs. No package dependencies.
import PackageDescription

/// Release builds skip the run-time exclusivity checks (debug builds and tests keep them): the
/// eager interpreter's per-op path spends ~8% of its time in them.
let releaseSpeed: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "tgc",
    targets: [
        // The C runtime, shared by generated binaries and the interpreter (printing, RNG, .npy, IDX).
        .target(
            name: "CTGCRuntime",
            path: "runtime",
            exclude: ["tests", "Makefile", "README.md"],
            sources: ["src"],
            publicHeadersPath: "include",
            // IDX files are inflated through the system's zlib (Debian's zlib1g-dev).
            linkerSettings: [.linkedLibrary("z")]
        ),
        // Source locations and diagnostics, shared by every layer.
        .target(name: "TGCBase"),
        // Lexer, parser and AST of the .swiftdsl language.
        .target(name: "TGCSyntax", dependencies: ["TGCBase"]),
        // The IR, op table, Builder seam, interpreter, autodiff and passes.
        .target(name: "TGCCore", dependencies: ["TGCBase", "CTGCRuntime"], swiftSettings: releaseSpeed),
        // Target-independent lowering of IR to loop kernels: kernel IR, fusion-group and matmul
        // lowering, buffer planning, CPU schedules. Knows no target syntax.
        .target(name: "TGCLowering", dependencies: ["TGCBase", "TGCCore"]),
        // The C renderer of the lowering, the C prelude and the gcc toolchain driver.
        .target(name: "TGCCBackend", dependencies: ["TGCLowering", "TGCCore"]),
        // The CUDA renderer of the same lowering (kernels as __global__ functions, the host program
        // through the C emitter's walk) and the nvcc / host-emulation toolchain.
        .target(name: "TGCCUDABackend", dependencies: ["TGCLowering", "TGCCore", "TGCCBackend"]),
        // The evaluator (AST against a Builder) and the CLI commands.
        .target(name: "TGCDriver", dependencies: ["TGCSyntax", "TGCCore", "TGCCBackend", "TGCCUDABackend"], swiftSettings: releaseSpeed),
        .executableTarget(name: "tgc", dependencies: ["TGCDriver"]),
        // Random program generators and mutators for fuzzing and differential testing.
        .target(name: "TGCStress", dependencies: ["TGCDriver", "TGCCore", "TGCCBackend"]),
        // `tgc-stress fuzz|difftest`: long runs of the reliability checks (make fuzz, make difftest).
        .executableTarget(name: "tgc-stress", dependencies: ["TGCStress"]),
        // Temporary folders shared by the test targets, removed when the test process exits.
        .target(name: "TGCTestSupport", path: "Tests/TGCTestSupport"),
        .testTarget(name: "TGCSyntaxTests", dependencies: ["TGCSyntax"]),
        // IRPassCases/*.tgir are read through #filePath, like the samples.
        .testTarget(name: "TGCCoreTests", dependencies: ["TGCCore", "TGCTestSupport"], exclude: ["IRPassCases"]),
        .testTarget(name: "TGCCBackendTests", dependencies: ["TGCLowering", "TGCCBackend", "TGCDriver", "TGCTestSupport"]),
        .testTarget(name: "TGCDriverTests", dependencies: ["TGCDriver", "TGCCBackend", "TGCCUDABackend", "TGCTestSupport"]),
        .testTarget(name: "TGCStressTests", dependencies: ["TGCStress", "TGCTestSupport"]),
    ]
)
