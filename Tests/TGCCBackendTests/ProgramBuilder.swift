import TGCBase
import TGCCore

/// Builds small IR modules by hand for the backend tests: a GraphBuilder with one source line
/// per op (so generated comments are checkable) and `save` outputs numbered in order.
final class ProgramBuilder {
    let graph = GraphBuilder()
    private var line = 0
    private(set) var saveCount = 0

    var module: Module { graph.module }

    /// The next source location, one line per op.
    func here() -> SourceLocation {
        line += 1
        return SourceLocation(file: "test.swiftdsl", line: line, column: 1)
    }

    func constant(_ data: [Double], _ shape: [Int], _ dtype: DType = .float32) throws -> ValueID {
        var attrs = Attributes()
        attrs.data = data
        attrs.shape = shape
        attrs.dtype = dtype
        return try graph.apply1(.constant, [], attrs, at: here())
    }

    func splat(_ value: Double, _ shape: [Int], _ dtype: DType = .float32) throws -> ValueID {
        try graph.full(shape, value, dtype, at: here())
    }

    func op(_ kind: OpKind, _ operands: [ValueID], _ attrs: Attributes = .none) throws -> ValueID {
        try graph.apply1(kind, operands, attrs, at: here())
    }

    func op(_ kind: OpKind, _ operands: [ValueID], configure: (inout Attributes) -> Void) throws -> ValueID {
        var attrs = Attributes()
        configure(&attrs)
        return try op(kind, operands, attrs)
    }

    /// An op without results (print, save, manualSeed).
    func effect(_ kind: OpKind, _ operands: [ValueID], configure: (inout Attributes) -> Void) throws {
        var attrs = Attributes()
        configure(&attrs)
        _ = try graph.apply(kind, operands, attrs, at: here())
    }

    /// Saves `value` as `NNN_label.npy` (relative: under the run's output folder).
    func save(_ value: ValueID, _ label: String) throws {
        let name = String(format3(saveCount)) + "_" + label + ".npy"
        saveCount += 1
        try effect(.save, [value]) { $0.path = name }
    }

    func type(_ value: ValueID) -> TensorType { graph.type(of: value) }

    private func format3(_ n: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }
}
