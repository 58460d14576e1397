import TGCCore

import TGCSyntax

/// A module instance: PyTorch's `nn.Module` object. Shared by reference, as Python objects
/// are (`let m2 = model` names the same module). Its fields, in declaration order, are its
/// parameters (tensors that require grad), its child modules, arrays of modules (PyTorch's
/// `ModuleList`), and plain settings.
final class ModuleObject {
    /// The built-in layers and what each was made with (its repr and forward read them).
    enum Layer {
        case linear(inFeatures: Int, outFeatures: Int, bias: Bool)
        /// A layer whose forward is one tensor method with fixed arguments: `ReLU()` is
        /// `x.relu()`, `Softmax(dim: 1)` is `x.softmax(dim: 1)`; `repr` is PyTorch's.
        case method(typeName: String, method: String, arguments: [(label: String, value: Option)], repr: String)
        case dropout(p: Double, inplace: Bool)
        /// Its children are its fields "0", "1", ..., run in order.
        case sequential
        /// An array of modules held by a module (PyTorch's `ModuleList`), as `children()` and
        /// `modules()` list it: fields "0", "1", ...; not callable.
        case moduleList
        case embedding(count: Int, dimension: Int)
        case layerNorm(shape: [Int], eps: Double, affine: Bool, bias: Bool)
        /// BatchNorm1d (rank 2 or 3 inputs) and BatchNorm2d (rank 4): buffers running_mean,
        /// running_var and num_batches_tracked, updated by each call in training mode.
        case batchNorm(dimensions: Int, features: Int, eps: Double, momentum: Double, affine: Bool)
        case identity
        /// A loss module (`CrossEntropyLoss()`): its forward is the loss function `function` of
        /// (input, target), with the module's fields as the labeled arguments given when made.
        case loss(typeName: String, function: String)
        /// Conv2d: weight [out, in/groups, kh, kw] and bias [out] (when `bias`).
        case conv2d(inChannels: Int, outChannels: Int, window: Window2D, groups: Int, bias: Bool)
        /// MaxPool2d (`maximum`) and AvgPool2d; `repr` prints the arguments as they were given.
        case pool2d(maximum: Bool, window: Window2D, repr: String)
        /// AdaptiveAvgPool2d: bins of the input averaged into an output of `outputSize`.
        case adaptiveAvgPool2d(outputSize: (Int, Int), repr: String)
    }

    /// A fixed argument of a `.method` layer's forward.
    enum Option {
        case int(Int)
        case float(Double)
        case string(String)
    }

    /// What the module is: a built-in layer, or a `struct ...: Module` of the program.
    enum Kind {
        case layer(Layer)
        case user(StructDecl)
    }

    let kind: Kind
    var fields: [(name: String, value: EvalValue)]
    /// `model.train()` / `model.eval()`: PyTorch's `training` flag (true when made).
    var training = true

    init(_ kind: Kind, fields: [(name: String, value: EvalValue)]) {
        self.kind = kind
        self.fields = fields
    }

    var typeName: String {
        switch kind {
        case .layer(.linear): "Linear"
        case .layer(.method(let typeName, _, _, _)): typeName
        case .layer(.dropout): "Dropout"
        case .layer(.sequential): "Sequential"
        case .layer(.moduleList): "ModuleList"
        case .layer(.embedding): "Embedding"
        case .layer(.layerNorm): "LayerNorm"
        case .layer(.batchNorm(let dimensions, _, _, _, _)): "BatchNorm\(dimensions)d"
        case .layer(.identity): "Identity"
        case .layer(.loss(let typeName, _)): typeName
        case .layer(.conv2d): "Conv2d"
        case .layer(.pool2d(let maximum, _, _)): maximum ? "MaxPool2d" : "AvgPool2d"
        case .layer(.adaptiveAvgPool2d): "AdaptiveAvgPool2d"
        case .user(let decl): decl.name
        }
    }

    func field(_ name: String) -> EvalValue? { fields.first { $0.name == name }?.value }

    /// What a built-in layer was made with, by PyTorch's attribute names in camel case:
    /// `fc.inFeatures`, `conv.kernelSize` (a pair, as PyTorch's tuple), `bn.numFeatures`, `drop.p`.
    func setting(_ name: String) -> EvalValue? {
        guard case .layer(let layer) = kind else { return nil }
        let settings: [String: EvalValue]
        switch layer {
        case .linear(let inFeatures, let outFeatures, _):
            settings = ["inFeatures": .int(inFeatures), "outFeatures": .int(outFeatures)]
        case .conv2d(let inChannels, let outChannels, let window, let groups, _):
            func pair(_ value: (Int, Int)) -> EvalValue { .tuple([.int(value.0), .int(value.1)]) }
            settings = ["inChannels": .int(inChannels), "outChannels": .int(outChannels), "kernelSize": pair(window.kernel),
                        "stride": pair(window.stride), "padding": pair(window.padding), "dilation": pair(window.dilation),
                        "groups": .int(groups)]
        case .batchNorm(_, let features, let eps, let momentum, let affine):
            settings = ["numFeatures": .int(features), "eps": .float(eps), "momentum": .float(momentum), "affine": .bool(affine)]
        case .layerNorm(let shape, let eps, _, _):
            settings = ["normalizedShape": .tuple(shape.map { .int($0) }), "eps": .float(eps)]
        case .dropout(let p, _):
            settings = ["p": .float(p)]
        case .embedding(let count, let dimension):
            settings = ["numEmbeddings": .int(count), "embeddingDim": .int(dimension)]
        default:
            return nil
        }
        return settings[name]
    }

    var isSequential: Bool { if case .layer(.sequential) = kind { true } else { false } }

    /// The modules of a Sequential or ModuleList in order (what `for layer in model`,
    /// `model[i]` and `model.count` read), nil for other modules.
    var listedModules: [EvalValue]? {
        switch kind {
        case .layer(.sequential), .layer(.moduleList): fields.map(\.value)
        default: nil
        }
    }

    /// Whether `items` is a non-empty array of modules (a ModuleList when a module holds it).
    static func isModuleArray(_ items: [EvalValue]) -> Bool {
        for item in items {
            guard case .module = item else { return false }
        }
        return !items.isEmpty
    }

    /// A module's array of modules as PyTorch's `ModuleList` (its modules are shared).
    static func moduleList(_ items: [EvalValue], training: Bool) -> ModuleObject {
        var listed: [(name: String, value: EvalValue)] = []
        for (index, item) in items.enumerated() { listed.append((name: String(index), value: item)) }
        let list = ModuleObject(.layer(.moduleList), fields: listed)
        list.training = training
        return list
    }

    /// The child modules by the names PyTorch gives them: each module field, and each array of
    /// modules as a ModuleList (whose children are `name.0`, `name.1`, ...).
    var children: [(name: String, module: ModuleObject)] {
        fields.flatMap { field -> [(name: String, module: ModuleObject)] in
            switch field.value {
            case .module(let module): return [(field.name, module)]
            case .array(let items):
                guard ModuleObject.isModuleArray(items) else { return [] }
                return [(name: field.name, module: ModuleObject.moduleList(items, training: training))]
            default: return []
            }
        }
    }

    /// PyTorch's `named_modules()`: the module itself (named ""), then each descendant once,
    /// depth first, named by its path (`features.0`).
    func namedModules(prefix: String = "", seen: inout Set<ObjectIdentifier>) -> [(name: String, module: ModuleObject)] {
        guard seen.insert(ObjectIdentifier(self)).inserted else { return [] }
        var result = [(name: prefix, module: self)]
        for child in children {
            result += child.module.namedModules(prefix: prefix.isEmpty ? child.name : prefix + "." + child.name, seen: &seen)
        }
        return result
    }

    func namedModules() -> [(name: String, module: ModuleObject)] {
        var seen = Set<ObjectIdentifier>()
        return namedModules(seen: &seen)
    }

    /// A tensor field that is a parameter: made as one (even when frozen), or a leaf that
    /// requires grad; other tensor fields are buffers.
    static func isParameter(_ tensor: TensorValue) -> Bool {
        tensor.isParameter || (tensor.leafKey != nil && tensor.requiresGrad)
    }

    /// `model.named_parameters()`: the module's own parameters (tensor fields that require
    /// grad), then each child's under `child.`, as PyTorch orders them.
    /// A module or tensor held twice (a shared layer, tied weights) is listed once, under its
    /// first name, as PyTorch's `named_parameters()` removes duplicates.
    var namedParameters: [(name: String, tensor: TensorValue)] {
        var seen = Set<Int>()
        return everyNamedParameter.filter { $0.tensor.leafKey.map { seen.insert($0).inserted } ?? true }
    }

    private var everyNamedParameter: [(name: String, tensor: TensorValue)] {
        var result: [(name: String, tensor: TensorValue)] = []
        for field in fields {
            if case .tensor(let tensor) = field.value, Self.isParameter(tensor) {
                result.append((field.name, tensor))
            }
        }
        for child in children {
            result += child.module.everyNamedParameter.map { ("\(child.name).\($0.name)", $0.tensor) }
        }
        return result
    }

    /// `model.state_dict()`: each module's parameters, then its buffers (a built-in layer's
    /// tensor fields that do not require grad: batch norm's running statistics), then its
    /// children's under `child.`. A struct's plain tensor property is not state, as a plain
    /// tensor attribute of a PyTorch module is not.
    var namedState: [(name: String, tensor: TensorValue)] {
        var parameters: [(name: String, tensor: TensorValue)] = []
        var buffers: [(name: String, tensor: TensorValue)] = []
        for field in fields {
            guard case .tensor(let tensor) = field.value else { continue }
            if Self.isParameter(tensor) {
                parameters.append((field.name, tensor))
            } else if case .layer = kind {   // batch norm's statistics; a struct's plain tensor is no state, as in PyTorch
                buffers.append((field.name, tensor))
            }
        }
        return parameters + buffers + children.flatMap { child in child.module.namedState.map { ("\(child.name).\($0.name)", $0.tensor) } }
    }

    /// The buffers of this module and every module under it, as (module, field name).
    var allBuffers: [(module: ModuleObject, field: String)] {
        fields.compactMap { field -> (module: ModuleObject, field: String)? in
            guard case .tensor(let tensor) = field.value, !Self.isParameter(tensor) else { return nil }
            return (self, field.name)
        } + children.flatMap(\.module.allBuffers)
    }

    /// PyTorch's `repr(module)`: `Linear(in_features=3, out_features=2, bias=True)`, and for a
    /// module with children one line per child, `ModuleList` for an array of modules.
    func repr(indent: String = "") -> String {
        func python(_ flag: Bool) -> String { flag ? "True" : "False" }
        switch kind {
        case .layer(.linear(let inFeatures, let outFeatures, let bias)):
            return "Linear(in_features=\(inFeatures), out_features=\(outFeatures), bias=\(python(bias)))"
        case .layer(.method(_, _, _, let repr)):
            return repr
        case .layer(.dropout(let p, let inplace)):
            return "Dropout(p=\(PrintFormatter.pythonRepr(p)), inplace=\(python(inplace)))"
        case .layer(.embedding(let count, let dimension)):
            return "Embedding(\(count), \(dimension))"
        case .layer(.layerNorm(let shape, let eps, let affine, let bias)):
            let tuple = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
            return "LayerNorm(\(tuple), eps=\(PrintFormatter.pythonRepr(eps)), elementwise_affine=\(python(affine)), bias=\(python(bias)))"
        case .layer(.identity):
            return "Identity()"
        case .layer(.batchNorm(let dimensions, let features, let eps, let momentum, let affine)):
            return "BatchNorm\(dimensions)d(\(features), eps=\(PrintFormatter.pythonRepr(eps)), momentum=\(PrintFormatter.pythonRepr(momentum)), "
                + "affine=\(python(affine)), bias=\(python(affine)), track_running_stats=True)"
        case .layer(.loss(let typeName, _)):
            return "\(typeName)()"
        case .layer(.conv2d(let inChannels, let outChannels, let window, let groups, let bias)):
            func pair(_ value: (Int, Int)) -> String { "(\(value.0), \(value.1))" }
            var settings = ["\(inChannels)", "\(outChannels)", "kernel_size=\(pair(window.kernel))", "stride=\(pair(window.stride))"]
            if window.padding != (0, 0) { settings.append("padding=\(pair(window.padding))") }
            if window.dilation != (1, 1) { settings.append("dilation=\(pair(window.dilation))") }
            if groups != 1 { settings.append("groups=\(groups)") }
            if !bias { settings.append("bias=False") }
            return "Conv2d(\(settings.joined(separator: ", ")))"
        case .layer(.pool2d(_, _, let repr)), .layer(.adaptiveAvgPool2d(_, let repr)):
            return repr
        case .layer(.moduleList):
            return ModuleObject.moduleListRepr(fields.map { $0.value }, indent: indent)
        case .user, .layer(.sequential):
            var lines: [String] = []
            for field in fields {
                switch field.value {
                case .module(let module):
                    lines.append("\(indent)  (\(field.name)): \(module.repr(indent: indent + "  "))")
                case .array(let items) where ModuleObject.isModuleArray(items):
                    lines.append("\(indent)  (\(field.name)): \(ModuleObject.moduleListRepr(items, indent: indent + "  "))")
                default: continue
                }
            }
            return lines.isEmpty ? "\(typeName)()" : "\(typeName)(\n" + lines.joined(separator: "\n") + "\n\(indent))"
        }
    }

    /// PyTorch's `ModuleList` repr: runs of equal reprs print once, `(0-2): 3 x Linear(...)`.
    private static func moduleListRepr(_ items: [EvalValue], indent: String) -> String {
        var reprs: [String] = []
        for case .module(let module) in items { reprs.append(module.repr(indent: indent + "  ")) }
        var list = ["ModuleList("]
        var start = 0
        while start < reprs.count {
            var end = start
            while end + 1 < reprs.count, reprs[end + 1] == reprs[start] { end += 1 }
            let label = start == end ? "(\(start))" : "(\(start)-\(end)): \(end - start + 1) x"
            list.append("\(indent)  \(label)\(start == end ? ":" : "") \(reprs[start])")
            start = end + 1
        }
        return list.joined(separator: "\n") + "\n\(indent))"
    }
}
