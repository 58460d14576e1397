/// A named module-to-module transformation, selectable with `tgc ir --after NAME`.
public struct Pass: Sendable {
    public let name: String
    public let summary: String
    public let run: @Sendable (Module) throws -> Void

    public init(name: String, summary: String, run: @escaping @Sendable (Module) throws -> Void) {
        self.name = name
        self.summary = summary
        self.run = run
    }
}

/// The pass pipeline in the order it runs; `disabled` names passes to skip (optional ones only).
public enum PassPipeline {
    public static let all: [Pass] = [autodiffPass, gradientAllReducePass, canonicalizePass, commonSubexpressionEliminationPass, loopSimplifyPass, deadCodeEliminationPass, fusionPass, memoryPlanPass]

    /// Passes that must run for the program to be executable; the rest are optimizations.
    public static let required: Set<String> = ["autodiff", "gradient-all-reduce"]

    public static func pass(named name: String) -> Pass? { all.first { $0.name == name } }

    /// Runs the pipeline (up to and including `last`, when given), verifying after every pass.
    public static func run(_ module: Module, upTo last: String? = nil, disabled: Set<String> = [],
                           optimize: Bool = true) throws {
        try Verifier.verify(module)
        for pass in all {
            let skip = !required.contains(pass.name) && (!optimize || disabled.contains(pass.name))
            if !skip {
                try pass.run(module)
                try Verifier.verify(module, after: pass.name)
            }
            if pass.name == last { return }
        }
    }
}
