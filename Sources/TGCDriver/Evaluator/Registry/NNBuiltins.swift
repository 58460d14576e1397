import TGCBase
import TGCCore

/// Neural-network layers, losses and optimizers (`Linear`, `crossEntropy`, `SGD`): none yet.
///
/// Entries go here as in the other families. A loss is a FunctionEntry built on Builder
/// composites (Builder+Composites.swift: mean, std, ...) with its backward name in
/// `SurfaceFunction`; a layer or optimizer is a structured value (an `EvalValue` case holding
/// its stored tensors) whose constructor is a FunctionEntry, whose `forward` is a method on that
/// value, and whose state-updating methods (`opt.step()`) are MutatingMethodEntries.
extension BuiltinFamily {
    static let nn = BuiltinFamily(name: "nn")
}
