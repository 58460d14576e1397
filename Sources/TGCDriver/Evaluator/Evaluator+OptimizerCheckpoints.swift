import Foundation
import TGCBase
import TGCCore
import TGCSyntax

/// Optimizer checkpoints: `save(opt, "opt.safetensors")` and `opt.load("opt.safetensors")`,
/// the optimizer's state as named tensors with keys that mirror PyTorch's optimizer
/// `state_dict()`: `state.0.step`, `state.0.exp_avg`, ..., `param_groups.0.lr`.
extension OptimizerObject {
    /// The checkpoint's keys, in the order they are written, and the state each holds:
    /// per parameter (numbered in the optimizer's order) its step count (tgc's one counter,
    /// as float32 like PyTorch's `step`) and the state tensors this configuration uses (none
    /// for SGD without momentum, `momentum_buffer` for RMSprop only with momentum, `grad_avg`
    /// only when centered), then the learning rate.
    var checkpointEntries: [(key: String, entry: OptimizerState.Entry)] {
        let names = Self.stateNames(kind)
        let used = names.indices.filter { array in
            switch (kind, names[array]) {
            case (.sgd, _), (.rmsprop, "momentum_buffer"): number("momentum") != 0
            case (.rmsprop, "grad_avg"): number("centered") != 0
            default: true
            }
        }
        return parameters.indices.flatMap { parameter in
            [("state.\(parameter).step", OptimizerState.Entry.steps)]
                + used.map { ("state.\(parameter).\(names[$0])", OptimizerState.Entry.tensor(array: $0, parameter: parameter)) }
        } + [("param_groups.0.lr", .learningRate)]
    }
}

extension Evaluator {
    /// The tensors `save(opt, path)` writes, by key.
    func optimizerCheckpoint(_ optimizer: OptimizerObject, at location: SourceLocation) throws -> [(key: String, value: EvalValue)] {
        try optimizer.checkpointEntries.map { key, entry in
            let tensor: TensorValue = switch entry {
            case .steps: TensorValue(id: try builder.cast(optimizer.steps.id, to: .float32, at: location))
            case .learningRate: try learningRateTensor(optimizer, at: location)
            case .tensor: OptimizerState(optimizer: optimizer, entry: entry).value
            }
            return (key, .tensor(tensor))
        }
    }

    /// `opt.load(path)`: every key of the optimizer's checkpoint, each of its shape and dtype
    /// (checked now when the file exists, and when it is read at run time); the state, the
    /// step count and the lr take the file's values.
    func loadOptimizer(_ optimizer: OptimizerObject, _ arguments: [Argument], at location: SourceLocation) throws {
        var site = try callSite("load", arguments, at: location)
        try site.bind([.unlabeled("path")])
        let path = try checkpointPath(site.value("path"), at: site.location("path"))
        guard case .string(let written)? = site.value("path") else { return }
        let current = try optimizerCheckpoint(optimizer, at: location)
        let expected = try current.map { key, value in (name: key, type: builder.type(of: try asTensor(value, at: location).id)) }
        guard case .dictionary(let state, _) = try loadSafetensors(path, expecting: expected, at: site.location("path")) else { return }
        try checkCheckpoint(state, against: expected, file: written, owner: optimizer.kind.rawValue, noun: "optimizer", at: location)
        for (key, entry) in optimizer.checkpointEntries {
            guard case .tensor(let loaded)? = state.first(where: { $0.key == key })?.value else { continue }
            switch entry {
            case .steps: optimizer.steps = TensorValue(id: try builder.cast(loaded.id, to: .float64, at: location))
            case .learningRate: optimizer.learningRate = .tensor(TensorValue(id: loaded.id, isHostScalar: true))
            case .tensor: OptimizerState(optimizer: optimizer, entry: entry).value = loaded
            }
        }
    }

    /// A checkpoint's tensors against the ones expected (PyTorch's strict `load_state_dict`):
    /// a missing or unexpected key, or a different shape or dtype, is an error naming them.
    func checkCheckpoint(_ state: [(key: String, value: EvalValue)], against expected: [(name: String, type: TensorType)],
                         file: String, owner: String, noun: String, at location: SourceLocation) throws {
        let missing = expected.map(\.name).filter { name in !state.contains { $0.key == name } }
        let unexpected = state.map(\.key).filter { key in !expected.contains { $0.name == key } }
        guard missing.isEmpty && unexpected.isEmpty else {
            var problems: [String] = []
            if !missing.isEmpty { problems.append("missing key(s) \(missing.map { "\"\($0)\"" }.joined(separator: ", "))") }
            if !unexpected.isEmpty { problems.append("unexpected key(s) \(unexpected.map { "\"\($0)\"" }.joined(separator: ", "))") }
            throw Diagnostic("'\(file)' does not match \(owner): \(problems.joined(separator: "; "))", at: location)
        }
        for (name, want) in expected {
            guard case .tensor(let loaded)? = state.first(where: { $0.key == name })?.value else { continue }
            let have = builder.type(of: loaded.id)
            guard want == have else {
                throw Diagnostic("'\(file)': \(name) is \(have.dtype)\(formatShape(have.shape)) in the file, but the \(noun)'s is \(want.dtype)\(formatShape(want.shape))", at: location)
            }
        }
    }
}
