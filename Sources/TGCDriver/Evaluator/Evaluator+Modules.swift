import Foundation
import TGCBase
import TGCCore
import TGCSyntax

/// Modules: `struct Name: Module { ... }` declarations made into module objects, calling a
/// module (`model(x)`: its `callAsFunction`, or a layer's forward), its methods and fields.
extension Evaluator {
    /// What a `struct` declaration must be: a `Module` with distinct property names.
    func checkModuleDeclaration(_ decl: StructDecl) throws {
        guard decl.conformances.contains("Module") else {
            throw Diagnostic("struct '\(decl.name)' must conform to Module (struct \(decl.name): Module { ... }); other structs are not supported", at: decl.location)
        }
        var seen = Set<String>()
        for property in decl.properties {
            guard seen.insert(property.name).inserted else {
                throw Diagnostic("invalid redeclaration of '\(property.name)' in '\(decl.name)'", at: property.location)
            }
            guard !ModuleMethod.names.contains(property.name) && property.name != "training" else {
                throw Diagnostic("'\(property.name)' is a member every Module has; give the property another name", at: property.location)
            }
        }
        for method in decl.methods where seen.contains(method.name) {
            throw Diagnostic("'\(method.name)' is declared as a property and as a method of '\(decl.name)'", at: method.location)
        }
    }

    /// `MLP(hidden: 10)`: the properties' default values in order, then `init`'s body (or,
    /// without an `init`, Swift's memberwise initializer for the properties without defaults).
    func instantiate(_ decl: StructDecl, _ arguments: [Argument], at location: SourceLocation) throws -> EvalValue {
        let parameters = decl.initializer?.parameters ?? decl.properties.filter { $0.value == nil }.map {
            Parameter(label: nil, name: $0.name, type: $0.type, defaultValue: nil, at: $0.location)
        }
        // The properties are declared before the parameters, which shadow them: `self.x = x`.
        var properties = 0..<0
        let declareProperties = {
            let start = self.environment.count
            for property in decl.properties {
                let value = try property.value.map { try self.evaluate($0) } ?? .void
                // A property with a default may be set again by init only if it is a `var`.
                self.environment.declare(property.name, Binding(value: value, isMutable: property.value == nil || property.isMutable,
                                                                location: property.location))
            }
            properties = start..<self.environment.count
        }
        let fields = try inScopeOfGlobals(decl.name, arguments, parameters, at: location, before: declareProperties) {
            if decl.initializer == nil {   // the memberwise initializer
                for parameter in parameters { environment.assign(parameter.name, environment.lookup(parameter.name)!.value, declaredIn: properties) }
            }
            initializingProperties.append(properties)
            defer { initializingProperties.removeLast() }
            try executeBlock(decl.initializer?.body ?? [])
            return try decl.properties.map { property -> (name: String, value: EvalValue) in
                let value = environment.value(of: property.name, declaredIn: properties)!
                if case .void = value {
                    throw Diagnostic("'\(decl.name).init' does not initialize the property '\(property.name)'", at: decl.initializer?.location ?? location)
                }
                return (property.name, value)
            }
        }
        return .module(ModuleObject(.user(decl), fields: fields))
    }

    /// Calls a module on a value already computed (a Sequential's next layer).
    func callModule(_ module: ModuleObject, _ input: TensorValue, at location: SourceLocation) throws -> EvalValue {
        switch module.kind {
        case .layer(.loss(let typeName, _)):
            throw Diagnostic("\(typeName) takes an input and a target; it cannot be a layer of a Sequential", at: location)
        case .layer(let layer): return .tensor(try forward(layer, of: module, input, at: location))
        case .user(let decl):
            guard let method = decl.methods.first(where: { $0.name == "callAsFunction" }) else {
                throw Diagnostic("'\(decl.name)' cannot be called: it has no 'func callAsFunction'", at: location)
            }
            return try inScopeOfGlobals(method.name, [], [], at: location) {
                environment.declare("self", Binding(value: .module(module), isMutable: false, location: method.location))
                for field in module.fields {
                    environment.declare(field.name, Binding(value: field.value, isMutable: false, location: method.location))
                }
                guard let parameter = method.parameters.first, method.parameters.count == 1 else {
                    throw Diagnostic("'\(decl.name).callAsFunction' must take one tensor to be used in a Sequential", at: location)
                }
                environment.declare(parameter.name, Binding(value: .tensor(input), isMutable: false, location: method.location))
                return try runBody(of: method)
            }
        }
    }

    /// `model(x)`: a layer's forward, or the struct's `callAsFunction`.
    func callModule(_ module: ModuleObject, _ arguments: [Argument], at location: SourceLocation) throws -> EvalValue {
        switch module.kind {
        case .layer(.loss(let typeName, let function)):
            var site = try callSite(typeName, arguments, at: location)
            try site.bind([.unlabeled("input"), .unlabeled("target")])
            let operands = [site.value("input")!, site.value("target")!].map { (label: String?.none, value: $0, location: location) }
            let options = module.fields.map { (label: Optional($0.name), value: $0.value, location: location) }
            return try BuiltinRegistry.functions[function]!.call(self, CallSite(name: function, location: location, arguments: operands + options))
        case .layer(let layer):
            var site = try callSite(module.typeName, arguments, at: location)
            try site.bind([.unlabeled("input")])
            let input = try asTensor(site.value("input")!, at: site.location("input"))
            return .tensor(try forward(layer, of: module, input, at: location))
        case .user(let decl):
            guard let method = decl.methods.first(where: { $0.name == "callAsFunction" }) else {
                throw Diagnostic("'\(decl.name)' cannot be called: it has no 'func callAsFunction'", at: location)
            }
            return try callMethod(method, of: module, arguments, at: location)
        }
    }

    /// `model.name(...)`: a method every module has (ModuleMethod), or one of its struct.
    func callModuleMember(_ module: ModuleObject, _ name: String, _ arguments: [Argument], at location: SourceLocation) throws -> EvalValue {
        if case .user(let decl) = module.kind, let method = decl.methods.first(where: { $0.name == name }) {
            return try callMethod(method, of: module, arguments, at: location)
        }
        if case .module(let child)? = module.field(name) { return try callModule(child, arguments, at: location) }
        guard let method = ModuleMethod(rawValue: name) else {
            throw Diagnostic("value of type \(module.typeName) has no method '\(name)'", at: location)
        }
        let site = try callSite(name, arguments, at: location)
        guard site.arguments.isEmpty || [.load, .loadStateDict, .train, .to, .zeroGrad].contains(method) else {
            throw Diagnostic("\(name)() takes no arguments", at: location)
        }
        return try method.run(on: module, self, site)
    }

    /// `F.batch_norm` over every dimension but 1 (channels), as PyTorch's CPU kernel: in
    /// training with the batch's mean and biased variance, the running statistics (when given)
    /// blended with the unbiased variance under no grad and given back; otherwise with the
    /// running statistics (Builder.batchStatistics, Builder.batchNormalize).
    func batchNorm(_ input: TensorValue, running: (mean: TensorValue, variance: TensorValue)?, weight: TensorValue?, bias: TensorValue?,
                   training: Bool, momentum: Double, eps: Double,
                   at location: SourceLocation) throws -> (output: TensorValue, running: (mean: TensorValue, variance: TensorValue)?) {
        let type = builder.type(of: input.id)
        var mean: ValueID, variance: ValueID
        var updated: (mean: TensorValue, variance: TensorValue)?
        if training {
            let count = type.shape.indices.filter { $0 != 1 }.reduce(1) { $0 * type.shape[$1] }
            guard count > 1 else {
                throw Diagnostic("Expected more than 1 value per channel when training, got input size \(formatShape(type.shape))", at: location)
            }
            (mean, variance) = try builder.batchStatistics(input.id, at: location)
            if let running {
                // The running statistics, without history: (1 − momentum)·running + momentum·batch.
                updated = try withoutGrad {
                    let flat = [type.shape[1]]
                    let batchMean = try builder.reshape(try builder.apply1(.stopGradient, [mean], at: location), to: flat, at: location)
                    let unbiased = try builder.apply1(.mul, [try builder.reshape(try builder.apply1(.stopGradient, [variance], at: location), to: flat, at: location),
                                                             try builder.scalar(Double(count) / Double(count - 1), .float32, at: location)], at: location)
                    func blend(_ running: TensorValue, _ batch: ValueID) throws -> TensorValue {
                        let kept = try builder.apply1(.mul, [running.id, try builder.scalar(1 - momentum, .float32, at: location)], at: location)
                        return TensorValue(id: try builder.apply1(.add, [kept, try builder.apply1(.mul, [batch, try builder.scalar(momentum, .float32, at: location)], at: location)], at: location))
                    }
                    return (try blend(running.mean, batchMean), try blend(running.variance, unbiased))
                }
            }
        } else {
            guard let running else { throw Diagnostic("running_mean must be defined in evaluation mode", at: location) }
            (mean, variance) = (running.mean.id, running.variance.id)
        }
        let operands = [input] + [weight, bias].compactMap { $0 }
        let output = try recordComposite("BatchNorm", operands, gradFunction: "NativeBatchNormBackward0", at: location) {
            try builder.batchNormalize(input.id, mean: mean, variance: variance, ofTheBatch: training, weight: weight?.id, bias: bias?.id,
                                       eps: eps, at: location)
        }
        return (output, updated)
    }

    /// A BatchNorm layer's forward: `batchNorm` with its parameters and running statistics,
    /// which (with num_batches_tracked) a call in training mode updates.
    private func batchNormLayer(_ module: ModuleObject, _ input: TensorValue, eps: Double, momentum: Double, at location: SourceLocation) throws -> TensorValue {
        func field(_ name: String) -> TensorValue? { if case .tensor(let t)? = module.field(name) { t } else { nil } }
        func setField(_ name: String, _ value: TensorValue) {
            module.fields[module.fields.firstIndex { $0.name == name }!].value = .tensor(value)
        }
        let (output, updated) = try batchNorm(input, running: (field("running_mean")!, field("running_var")!), weight: field("weight"), bias: field("bias"),
                                              training: module.training, momentum: momentum, eps: eps, at: location)
        if let updated {
            setField("running_mean", updated.mean)
            setField("running_var", updated.variance)
            let tracked = field("num_batches_tracked")!
            setField("num_batches_tracked", try withoutGrad {
                TensorValue(id: try builder.apply1(.add, [tracked.id, try builder.scalar(1, .int64, at: location)], at: location))
            })
        }
        return output
    }

    /// `Dropout(p)`: in training, each element kept with probability 1 - p (one uniform draw of
    /// the Philox stream each) and scaled by 1 / (1 - p); in eval mode, the input itself.
    func dropout(_ input: TensorValue, p: Double, training: Bool, at location: SourceLocation) throws -> TensorValue {
        guard training && p > 0 else { return input }
        let type = builder.type(of: input.id)
        var attrs = Attributes()
        attrs.shape = type.shape
        attrs.dtype = .float32
        let draws = TensorValue(id: try builder.apply1(.randUniform, [], attrs, at: location))
        let keep = try withoutGrad {
            try record(.cast, [try record(.less, [draws, TensorValue(id: try builder.scalar(1 - p, .float32, at: location))],
                                          gradFunction: nil, at: location)], castTo(.float32), gradFunction: nil, at: location)
        }
        let scale = TensorValue(id: try builder.scalar(p < 1 ? 1 / (1 - p) : 0, .float32, at: location))
        return try tensorOp(.mul, [.tensor(try tensorOp(.mul, [.tensor(input), .tensor(keep)], at: location)), .tensor(scale)], at: location)
    }

    /// PyTorch's name of a camel-case member: `runningMean` is `running_mean`.
    static func snakeCase(_ name: String) -> String {
        name.reduce(into: "") { result, character in
            if character.isUppercase { result += "_" + character.lowercased() } else { result.append(character) }
        }
    }

    private func castTo(_ dtype: DType) -> Attributes {
        var attrs = Attributes()
        attrs.dtype = dtype
        return attrs
    }

    /// `model.fc1`, `model.training`.
    func moduleProperty(_ module: ModuleObject, _ name: String, at location: SourceLocation) throws -> EvalValue {
        if name == "training" { return .bool(module.training) }
        guard let value = module.field(name) ?? module.field(Self.snakeCase(name)) ?? module.setting(name) else {
            if module.noneParameters.contains(name) { return .none }
            if ModuleMethod(rawValue: name) != nil {
                throw Diagnostic("'\(name)' is a method; call it: model.\(name)()", at: location)
            }
            throw Diagnostic("value of type \(module.typeName) has no member '\(name)'", at: location)
        }
        return value
    }

    /// `model.fc1.weight = w` (a tensor of the same shape and dtype for a parameter, a module
    /// for a module field), or `self.fc1 = ...` in an `init`.
    func assignProperty(_ ownerExpr: Expr, _ name: String, op: String, value valueExpr: Expr, at location: SourceLocation) throws {
        if let properties = initializingProperties.last, case .identifier("self") = ownerExpr.kind {
            guard op == "=" else { throw Diagnostic("use '=' to set 'self.\(name)' in init", at: location) }
            guard environment.assign(name, try evaluate(valueExpr), declaredIn: properties) else {
                throw Diagnostic("value of type Self has no member '\(name)'", at: ownerExpr.location)
            }
            return
        }
        let owner = try evaluate(ownerExpr)
        if case .optimizer(let optimizer) = owner {
            return try assignOptimizerProperty(optimizer, name, op: op, value: valueExpr, at: location)
        }
        if case .tensor(let tensor) = owner, name == "data" {   // `w.data = t`, `w.data -= lr * g`: unrecorded
            try withoutGrad {
                var value = try evaluate(valueExpr)
                if op != "=" {
                    guard let kind = Self.compoundKinds[op] else { throw Diagnostic("unsupported operator '\(op)'", at: location) }
                    value = .tensor(try tensorOp(kind, [.tensor(tensor), value], at: location))
                }
                let target = Expr(.member(base: ownerExpr, name: name), at: ownerExpr.location)
                let stored = try asTensor(value, dtype: builder.type(of: tensor.id).dtype, at: valueExpr.location)
                let shape = builder.type(of: tensor.id).shape
                let broadcast = try builder.broadcast(stored.id, to: shape, at: valueExpr.location)
                try storeInPlace(TensorValue(id: broadcast), into: target, current: tensor, what: "'\(Self.describe(target)) \(op)'", at: location)
            }
            return
        }
        guard case .module(let module) = owner else {
            throw Diagnostic("cannot assign to property '\(name)' of this value", at: ownerExpr.location)
        }
        if op != "=", case .tensor(let current)? = module.field(name) {
            // `noGrad { fc.bias -= lr * fc.bias.grad! }`: an in-place update of the parameter, as
            // PyTorch's `model.bias -= ...` under torch.no_grad().
            guard let kind = Self.compoundKinds[op] else { throw Diagnostic("unsupported operator '\(op)'", at: location) }
            let updated = try tensorOp(kind, [.tensor(current), try evaluate(valueExpr)], at: location)
            let target = Expr(.member(base: ownerExpr, name: name), at: ownerExpr.location)
            _ = try storeInPlace(updated, into: target, current: current, what: "'\(Self.describe(target)) \(op)'", at: location)
            return
        }
        guard let index = module.fields.firstIndex(where: { $0.name == name }) else {
            throw Diagnostic("value of type \(module.typeName) has no member '\(name)'", at: ownerExpr.location)
        }
        var value = try evaluate(valueExpr)
        if op != "=" {   // `net.count += 1`, `net.temperature *= 0.5`: a number property
            guard Self.compoundKinds[op] != nil, module.fields[index].value.isPythonNumber else {
                throw Diagnostic("use '=' to replace a module's '\(name)'", at: location)
            }
            value = try binaryOperator(String(op.dropLast()), module.fields[index].value, value, at: location)
        }
        if case .tensor(let old) = module.fields[index].value {
            guard case .tensor(let new) = value else {
                throw Diagnostic("'\(name)' holds a tensor; assign a tensor, not a \(value.kindName)", at: valueExpr.location)
            }
            let (oldType, newType) = (builder.type(of: old.id), builder.type(of: new.id))
            let isLayer = if case .layer = module.kind { true } else { false }
            guard oldType == newType || !isLayer else {
                throw Diagnostic("\(module.typeName).\(name) is \(oldType.dtype)\(formatShape(oldType.shape)); the new value is \(newType.dtype)\(formatShape(newType.shape))", at: valueExpr.location)
            }
            if old.isParameter {   // PyTorch's `module.weight = nn.Parameter(t)`: a leaf that requires grad
                var parameter = try settingRequiresGrad(new, true, at: valueExpr.location)
                parameter.isParameter = true
                value = .tensor(parameter)
            }
        }
        module.fields[index].value = value
    }

    /// Runs a struct method inlined, with the module's fields and `self` in scope.
    private func callMethod(_ method: FuncDecl, of module: ModuleObject, _ arguments: [Argument], at location: SourceLocation) throws -> EvalValue {
        try inScopeOfGlobals(method.name, arguments, method.parameters, at: location) {
            environment.declare("self", Binding(value: .module(module), isMutable: false, location: method.location))
            for field in module.fields {
                environment.declare(field.name, Binding(value: field.value, isMutable: false, location: method.location))
            }
            return try runBody(of: method)
        }
    }

    /// A layer's forward pass, with PyTorch's `grad_fn` on the result.
    private func forward(_ layer: ModuleObject.Layer, of module: ModuleObject, _ input: TensorValue, at location: SourceLocation) throws -> TensorValue {
        switch layer {
        case .method(_, let name, let arguments, _):
            let site = CallSite(name: name, location: location, arguments: arguments.map { argument -> (label: String?, value: EvalValue, location: SourceLocation) in
                switch argument.value {
                case .int(let n): (argument.label, .int(n), location)
                case .float(let x): (argument.label, .float(x), location)
                case .string(let text): (argument.label, .string(text), location)
                }
            })
            guard case .tensor(let result) = try BuiltinRegistry.methods[name]!.call(self, on: input, site) else {
                preconditionFailure("\(name) gives a tensor")
            }
            return result
        case .identity:
            return input
        case .loss(let typeName, _):
            throw Diagnostic("\(typeName) takes an input and a target", at: location)
        case .moduleList:
            throw Diagnostic("a ModuleList is not callable: call its modules (for layer in layers { x = layer(x) })", at: location)
        case .sequential:
            var value = input
            for field in module.fields {
                guard case .module(let child) = field.value else { continue }
                guard case .tensor(let next) = try callModule(child, value, at: location) else {
                    throw Diagnostic("\(child.typeName) in a Sequential must give a tensor", at: location)
                }
                value = next
            }
            return value
        case .dropout(let p, _):
            return try dropout(input, p: p, training: module.training, at: location)
        case .embedding:
            guard case .tensor(let weight)? = module.field("weight") else { preconditionFailure("Embedding without weight") }
            return try embedding(input, weight: weight, what: module.repr(), at: location)
        case .batchNorm(let dimensions, let features, let eps, let momentum, _):
            let type = builder.type(of: input.id)
            let ranks = dimensions == 1 ? [2, 3] : [4]
            guard type.dtype == .float32, ranks.contains(type.rank), type.shape[1] == features else {
                throw Diagnostic("\(module.repr()) needs a float32 input of rank \(ranks.map(String.init).joined(separator: " or ")) with \(features) channels in dimension 1, got \(type.dtype)\(formatShape(type.shape))", at: location)
            }
            return try batchNormLayer(module, input, eps: eps, momentum: momentum, at: location)
        case .layerNorm(let shape, let eps, _, _):
            func field(_ name: String) -> TensorValue? { if case .tensor(let t)? = module.field(name) { t } else { nil } }
            return try layerNorm(input, shape, weight: field("weight"), bias: field("bias"), eps: eps, what: module.repr(), at: location)
        case .conv2d, .pool2d, .adaptiveAvgPool2d:
            return try windowLayerForward(layer, of: module, input, at: location)
        case .linear(let inFeatures, _, let hasBias):
            let type = builder.type(of: input.id)
            guard type.rank >= 1, type.shape.last == inFeatures, type.dtype == .float32 else {
                throw Diagnostic("\(module.repr()) needs a float32 input whose last dimension is \(inFeatures), got \(type.dtype)\(formatShape(type.shape))", at: location)
            }
            guard case .tensor(let weight)? = module.field("weight") else { preconditionFailure("Linear without weight") }
            var bias: TensorValue?
            if hasBias, case .tensor(let b)? = module.field("bias") { bias = b }
            return try linear(input, weight: weight, bias: bias, at: location)
        }
    }

    /// `torch.nn.functional.embedding(indices, weight)`: the rows of weight [count, dim] that the
    /// int64 indices name. `what` names the caller in messages.
    func embedding(_ indices: TensorValue, weight: TensorValue, what: String, at location: SourceLocation) throws -> TensorValue {
        let (type, weightType) = (builder.type(of: indices.id), builder.type(of: weight.id))
        guard type.dtype == .int64 else { throw Diagnostic("\(what) needs int64 indices, got \(type.dtype)", at: location) }
        guard weightType.rank == 2 else { throw Diagnostic("\(what) needs a weight of rank 2, got \(formatShape(weightType.shape))", at: location) }
        return try recordComposite("Embedding", [indices, weight], gradFunction: "EmbeddingBackward0", at: location) {
            try builder.embedding(indices.id, weight: weight.id, at: location)
        }
    }

    /// `torch.nn.functional.layer_norm(x, shape, weight, bias, eps)` over the last dimensions,
    /// which must be `shape`; weight and bias (when given) of that shape.
    func layerNorm(_ input: TensorValue, _ shape: [Int], weight: TensorValue?, bias: TensorValue?, eps: Double, what: String,
                   at location: SourceLocation) throws -> TensorValue {
        let type = builder.type(of: input.id)
        guard type.dtype == .float32, type.shape.suffix(shape.count) == ArraySlice(shape) else {
            throw Diagnostic("\(what) needs a float32 input whose last dimensions are \(formatShape(shape)), got \(type.dtype)\(formatShape(type.shape))", at: location)
        }
        for (name, tensor) in [("weight", weight), ("bias", bias)] {
            guard let tensor, builder.type(of: tensor.id).shape != shape else { continue }
            throw Diagnostic("\(what): \(name) has to be \(formatShape(shape)), got \(formatShape(builder.type(of: tensor.id).shape))", at: location)
        }
        guard bias == nil || weight != nil else { throw Diagnostic("\(what): a bias needs a weight", at: location) }
        let affine = weight.map { (weight: $0.id, bias: bias?.id) }
        return try recordComposite("LayerNorm", [input] + [weight, bias].compactMap { $0 }, gradFunction: "NativeLayerNormBackward0", at: location) {
            try builder.layerNorm(input.id, normalizedDims: shape.count, eps: eps, affine: affine, at: location)
        }
    }

    /// `torch.nn.functional.linear`, with PyTorch's `grad_fn`: addmm for a matrix with a bias,
    /// mm without, a view around either otherwise.
    func linear(_ input: TensorValue, weight: TensorValue, bias: TensorValue?, at location: SourceLocation) throws -> TensorValue {
        let (type, weightType) = (builder.type(of: input.id), builder.type(of: weight.id))
        guard weightType.rank == 2, type.rank >= 1, type.shape.last == weightType.shape[1],
              bias.map({ builder.type(of: $0.id).shape == [weightType.shape[0]] }) ?? true else {
            let biasShape = bias.map { " and bias " + formatShape(builder.type(of: $0.id).shape) } ?? ""
            let rule = weightType.rank == 2 && type.rank >= 1 && type.shape.last == weightType.shape[1]
                ? "a bias of the weight's first dimension [\(weightType.shape[0])]" : "an input whose last dimension is the weight's second"
            throw Diagnostic("linear needs \(rule), got input \(formatShape(type.shape)), weight \(formatShape(weightType.shape))\(biasShape)", at: location)
        }
        let gradFunction = switch (type.rank, bias != nil) {
        case (2, true): "AddmmBackward0"
        case (2, false): OpKind.matmul.definition.gradFunction!
        case (1, false): SurfaceFunction.vectorMatrix.gradFunction
        case (_, false): SurfaceFunction.batchedMatmul.gradFunction
        default: OpKind.reshape.definition.gradFunction!
        }
        return try recordComposite("linear", [input, weight] + (bias.map { [$0] } ?? []), gradFunction: gradFunction, at: location) {
            try builder.linear(input.id, weight: weight.id, bias: bias?.id, at: location)
        }
    }
}

/// The methods every module has, as PyTorch's `nn.Module` names them.
enum ModuleMethod: String, CaseIterable {
    case parameters, namedParameters, stateDict, loadStateDict, train, eval, load, zeroGrad, to, cpu, cuda
    case children, namedChildren, modules, namedModules

    static let names = Set(allCases.map(\.rawValue))

    func run(on module: ModuleObject, _ evaluator: Evaluator, _ site: CallSite) throws -> EvalValue {
        switch self {
        case .parameters:
            return .array(module.namedParameters.map { .tensor($0.tensor) })
        case .namedParameters:
            return .array(module.namedParameters.map { .tuple([.string($0.name), .tensor($0.tensor)]) })
        case .children:
            return .array(module.children.map { .module($0.module) })
        case .namedChildren:
            return .array(module.children.map { .tuple([.string($0.name), .module($0.module)]) })
        case .modules:
            return .array(module.namedModules().map { .module($0.module) })
        case .namedModules:
            return .array(module.namedModules().map { .tuple([.string($0.name), .module($0.module)]) })
        case .stateDict:
            // Detached values, as PyTorch's state_dict() (they print as plain tensors).
            return .dictionary(module.namedState.map { ($0.name, .tensor(TensorValue(id: $0.tensor.id))) }, ordered: true)
        case .train, .eval:
            var site = site
            try site.bind([.unlabeled("mode", optional: true)])   // `model.train(false)` is eval()
            let mode = try evaluator.staticBool(site, "mode") ?? true
            module.setTraining(self == .train && mode)
            return .module(module)
        case .to:   // `model.to(device)`: as a tensor's `to(.cuda)`, nothing on the CPU target
            var site = site
            try site.bind([.unlabeled("device")])
            guard site.value("device")!.isDevice else {
                throw Diagnostic("model.to() takes a device (.cpu, .cuda); a model's dtype cannot be converted", at: site.location("device"))
            }
            return .module(module)
        case .cpu, .cuda:
            return .module(module)
        case .zeroGrad:
            var site = site
            try site.bind([.labeled("setToNone")])
            try evaluator.zeroGradients(of: module.namedParameters.compactMap(\.tensor.leafKey),
                                        setToNone: try evaluator.staticBool(site, "setToNone") ?? true, at: site.location)
            return .void
        case .load:
            var site = site
            try site.bind([.unlabeled("path"), .labeled("strict")])
            let strict = try evaluator.staticBool(site, "strict") ?? true
            let path = try evaluator.checkpointPath(site.value("path"), at: site.location("path"))
            // strict: false reads the file as it is (the tensors the model lacks are left alone).
            let expected = strict ? module.namedState.map { ($0.name, evaluator.builder.type(of: $0.tensor.id)) } : evaluator.savedCheckpoints[path]
            guard case .dictionary(let state, _) = try evaluator.loadSafetensors(path, expecting: expected, at: site.location("path")),
                  case .string(let written)? = site.value("path") else { return .void }
            try evaluator.loadState(state, into: module, from: written, strict: strict, at: site.location)
            return .void
        case .loadStateDict:
            var site = site
            try site.bind([.unlabeled("stateDict"), .labeled("strict")])
            guard case .dictionary(let state, _) = site.value("stateDict")! else {
                throw Diagnostic("loadStateDict takes a dictionary of tensors (model.stateDict(), load(\"m.safetensors\")), got \(site.value("stateDict")!.kindName)", at: site.location("stateDict"))
            }
            try evaluator.loadState(state, into: module, from: "state dict", strict: try evaluator.staticBool(site, "strict") ?? true, at: site.location)
            return .void
        }
    }
}

extension ModuleObject {
    /// The parameters PyTorch registers as None for how the layer was made (`Linear(..., bias:
    /// false).bias`): reading one gives None.
    var noneParameters: Set<String> {
        guard case .layer(let layer) = kind else { return [] }
        switch layer {
        case .linear(inFeatures: _, outFeatures: _, bias: let bias): return bias ? [] : ["bias"]
        case .conv2d(inChannels: _, outChannels: _, window: _, groups: _, bias: let bias): return bias ? [] : ["bias"]
        case .layerNorm(shape: _, eps: _, affine: let affine, bias: let bias): return affine ? (bias ? [] : ["bias"]) : ["weight", "bias"]
        case .batchNorm(dimensions: _, features: _, eps: _, momentum: _, affine: let affine): return affine ? [] : ["weight", "bias"]
        default: return []
        }
    }

    /// `train()` / `eval()`: the flag of this module and every module under it.
    func setTraining(_ flag: Bool) {
        training = flag
        for child in children { child.module.setTraining(flag) }
    }

    /// The module that owns parameter `path` ("fc1.weight" → fc1's module) and the field name.
    func owner(ofParameter path: String) -> (ModuleObject, String)? {
        if let field = fields.first(where: { $0.name == path }), case .tensor = field.value { return (self, path) }
        for child in children where path.hasPrefix(child.name + ".") {
            if let found = child.module.owner(ofParameter: String(path.dropFirst(child.name.count + 1))) { return found }
        }
        return nil
    }
}

extension Evaluator {
    /// `model.load("m.safetensors")` and `model.loadStateDict(dict)`: every parameter and buffer
    /// from the tensor of the same name (PyTorch's `load_state_dict` with strict=True): a missing
    /// or extra key, or a different shape or dtype, is an error naming the tensor.
    func loadState(_ state: [(key: String, value: EvalValue)], into module: ModuleObject, from path: String, strict: Bool = true,
                   at location: SourceLocation) throws {
        let parameters = module.namedState
        // strict: false (PyTorch's load_state_dict(strict=False)) skips the missing and the
        // unexpected keys; a tensor of another shape or dtype is still an error.
        let checked = strict ? state : state.filter { entry in parameters.contains { $0.name == entry.key } }
        let expected = parameters.filter { parameter in strict || state.contains { $0.key == parameter.name } }
        try checkCheckpoint(checked, against: expected.map { ($0.name, builder.type(of: $0.tensor.id)) }, file: path, owner: module.typeName, noun: "model", at: location)
        for parameter in parameters {
            guard case .tensor(let loaded)? = state.first(where: { $0.key == parameter.name })?.value,
                  let (owner, field) = module.owner(ofParameter: parameter.name) else { continue }
            if let key = parameter.tensor.leafKey {
                // Copied into the parameter, as PyTorch's load_state_dict does: the same leaf, so
                // an optimizer made before the load goes on updating it.
                var value = TensorValue(id: loaded.id)
                markInPlaceLeafUpdate(&value, of: key)
                value.isParameter = parameter.tensor.isParameter
                replaceLeaf(key, with: value)
                continue
            }
            var value = loaded
            value.isParameter = parameter.tensor.isParameter   // a frozen parameter stays frozen
            value.frozenLeafKey = parameter.tensor.frozenLeafKey
            owner.fields[owner.fields.firstIndex { $0.name == field }!].value = .tensor(value)
        }
    }
}
