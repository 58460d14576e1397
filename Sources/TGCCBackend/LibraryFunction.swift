import TGCCore

/// One function of a C library (`tgc compile --emit lib`): its IR, whose `input` ops are the
/// parameters (by name) and whose one `save` op of `LibraryFunction.resultPath` is the result.
public struct LibraryFunction {
    /// The `save` path that marks an exported function's result in its module.
    public static let resultPath = "<exported result>"

    public var name: String
    public var parameters: [(name: String, type: TensorType)]
    public var result: TensorType
    public var module: Module

    public init(name: String, parameters: [(name: String, type: TensorType)], result: TensorType, module: Module) {
        self.name = name
        self.parameters = parameters
        self.result = result
        self.module = module
    }
}
