import TGCCore

/// One generated, self-contained program unit: it restarts the random stream, so its values do
/// not depend on what runs before it, and every name and saved file carries its prefix, so
/// several units can share one program (one gcc run) and still be compared one by one.
public struct GenUnit: Sendable {
    /// A file the unit saves, with the tolerance factor its computation earned.
    public struct Output: Sendable, Equatable {
        public var file: String
        public var dtype: DType
        /// Multiplies the base float tolerances: 1 + (libm calls on the longest path) / 4.
        public var toleranceFactor: Double
    }

    public let prefix: String
    var statements: [GenStatement]
    /// `.npy` files the unit loads, written next to the program before it runs.
    public var dataFiles: [(name: String, tensor: Tensor)]

    public var source: String {
        statements.flatMap { $0.lines() }.joined(separator: "\n") + "\n"
    }

    /// Every file the unit saves, found in its statements.
    public var outputs: [Output] { outputs(of: statements) }

    private func outputs(of statements: [GenStatement]) -> [Output] {
        var state = AbstractState(lenient: true)
        var types: [String: TensorType] = [:]
        var result: [Output] = []
        func visit(_ statements: [GenStatement]) {
            for statement in statements {
                switch statement {
                case .bind(let name, let value, _): types[name] = value.type
                case .destructure(let names, _, _, let kinds, _): for (n, t) in zip(names, kinds) { types[n] = t }
                case .gradient(let names, _, let wrt, _): for (n, w) in zip(names, wrt) { types[n] = types[w] }
                case .save(let name, let file):
                    let base = String(name.prefix { $0 != "." })
                    let dtype = types[base]?.dtype ?? .float32
                    let depth = (state.depths[base] ?? 0) + (base == name ? 0 : 1)
                    result.append(Output(file: file, dtype: dtype, toleranceFactor: 1 + Double(depth) / 4))
                default: break
                }
                statement.children.forEach(visit)
            }
        }
        _ = state.run(statements)
        visit(statements)
        return result
    }
}
