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
    /// The model's weights the function reads: `input` ops of the module named `inputName`,
    /// embedded in the library or loaded by `_create_from` (by state-dict name).
    public var weights: [LibraryWeight]

    public init(name: String, parameters: [(name: String, type: TensorType)], result: TensorType, module: Module,
                weights: [LibraryWeight]) {
        self.name = name
        self.parameters = parameters
        self.result = result
        self.module = module
        self.weights = weights
    }
}

/// A tensor of a model's state dict that a library function reads, with its value at export.
public struct LibraryWeight {
    /// The name of its `input` op (`tgc_weight_3`).
    public var inputName: String
    /// Its state-dict name (`conv.weight`), the tensor's name in a safetensors file.
    public var name: String
    public var type: TensorType
    public var data: [Double]

    public init(inputName: String, name: String, type: TensorType, data: [Double]) {
        (self.inputName, self.name, self.type, self.data) = (inputName, name, type, data)
    }
}
