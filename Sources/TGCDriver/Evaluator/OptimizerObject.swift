/// An optimizer (PyTorch's `torch.optim.SGD`, `Adam`): the leaves it updates (by leaf key),
/// its hyperparameters as given (for its repr), and its per-parameter state tensors, which
/// loops carry like variables. Shared by reference, as Python objects are.
final class OptimizerObject {
    enum Kind: String {
        case sgd = "SGD", adam = "Adam", adamW = "AdamW", rmsprop = "RMSprop"
    }

    let kind: Kind
    /// The parameters, by leaf key, in the order given.
    let parameters: [Int]
    /// PyTorch's param group entries, as the program gave them or defaulted (repr order: sorted).
    var settings: [(name: String, value: EvalValue)]
    /// Per-parameter state, one array per entry of `Kind.stateNames` (e.g. Adam's exp_avg,
    /// exp_avg_sq), each tensor shaped like its parameter; plus a step count.
    var state: [[TensorValue]]
    var steps: TensorValue

    init(kind: Kind, parameters: [Int], settings: [(name: String, value: EvalValue)], state: [[TensorValue]], steps: TensorValue) {
        (self.kind, self.parameters, self.settings, self.state, self.steps) = (kind, parameters, settings, state, steps)
    }

    /// The learning rate: a number while it is known at compile time, else a float64 host
    /// scalar (assigned a run-time value, carried by a loop, or set by a scheduler).
    var learningRate: EvalValue {
        get { settings.first { $0.name == "lr" }!.value }
        set { settings[settings.firstIndex { $0.name == "lr" }!].value = newValue }
    }

    func number(_ name: String) -> Double {
        switch settings.first(where: { $0.name == name })?.value {
        case .int(let n)?: Double(n)
        case .float(let x)?: x
        case .bool(let b)?: b ? 1 : 0
        default: 0
        }
    }

    /// PyTorch's param group entries for `print(opt)`: the settings and the fixed flags, sorted.
    var repr: [(name: String, value: EvalValue)] {
        let fixed: [(name: String, value: EvalValue)] = switch kind {
        case .sgd: [("differentiable", .bool(false)), ("foreach", .none), ("fused", .none), ("maximize", .bool(false))]
        case .adam, .adamW:
            [("amsgrad", .bool(false)), ("capturable", .bool(false)), ("decoupled_weight_decay", .bool(kind == .adamW)),
             ("differentiable", .bool(false)), ("foreach", .none), ("fused", .none), ("maximize", .bool(false))]
        case .rmsprop: [("capturable", .bool(false)), ("differentiable", .bool(false)), ("foreach", .none), ("maximize", .bool(false))]
        }
        return (settings + fixed).sorted { $0.name < $1.name }
    }

    /// The state arrays each kind keeps per parameter.
    static func stateNames(_ kind: Kind) -> [String] {
        switch kind {
        case .sgd: ["momentum_buffer"]
        case .adam, .adamW: ["exp_avg", "exp_avg_sq"]
        case .rmsprop: ["square_avg", "momentum_buffer", "grad_avg"]
        }
    }
}
