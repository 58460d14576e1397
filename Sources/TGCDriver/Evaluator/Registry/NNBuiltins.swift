import TGCBase
import TGCCore
import TGCSyntax

/// Neural-network layers (`Linear`) and optimizers (`SGD`, `Adam`, Evaluator+Optimizers.swift):
/// constructors that make module objects (ModuleObject)
/// whose parameters are leaves drawn from the run's Philox stream with PyTorch's initialization.
/// A layer's forward is `Evaluator.callModule`; its methods are ModuleMethod.
extension BuiltinFamily {
    static let nn = BuiltinFamily(name: "nn", functions: [
        FunctionEntry("Linear", [.unlabeled("inFeatures"), .unlabeled("outFeatures"), .labeled("bias")],
                      "torch.nn.Linear: y = x W^T + b") { e, site in try e.makeLinear(site) },
        activation("ReLU", "relu", inplace: true), activation("Sigmoid", "sigmoid"), activation("Tanh", "tanh"),
        activation("SiLU", "silu", inplace: true),
        FunctionEntry("GELU", [.labeled("approximate")], "torch.nn.GELU (the exact erf form, or approximate: \"tanh\")") { e, site in
            let approximate = try e.geluApproximation(site)
            return e.methodLayer("GELU", "gelu", [("approximate", .string(approximate))], repr: "GELU(approximate='\(approximate)')")
        },
        FunctionEntry("LeakyReLU", [.unlabeled("negativeSlope", optional: true), .labeled("inplace")], "torch.nn.LeakyReLU (slope 0.01)") { e, site in
            let slope = try site.value("negativeSlope").map { try e.staticDouble($0, what: "negativeSlope", at: site.location("negativeSlope")) } ?? 0.01
            let inplace = try e.staticBool(site, "inplace") ?? false
            return e.methodLayer("LeakyReLU", "leakyRelu", [("negativeSlope", .float(slope))],
                                 repr: "LeakyReLU(negative_slope=\(PrintFormatter.pythonRepr(slope))\(inplace ? ", inplace=True" : ""))")
        },
        dimensionLayer("Softmax", "softmax"), dimensionLayer("LogSoftmax", "logSoftmax"),
        FunctionEntry("Flatten", [.labeled("startDim"), .labeled("endDim")], "torch.nn.Flatten (dims 1 through -1)") { e, site in
            let start = try site.value("startDim").map { try e.staticInt($0, what: "startDim", at: site.location("startDim")) } ?? 1
            let end = try site.value("endDim").map { try e.staticInt($0, what: "endDim", at: site.location("endDim")) } ?? -1
            return e.methodLayer("Flatten", "flatten", [("startDim", .int(start)), ("endDim", .int(end))],
                                 repr: "Flatten(start_dim=\(start), end_dim=\(end))")
        },
        FunctionEntry("Identity", [], "torch.nn.Identity") { _, _ in .module(ModuleObject(.layer(.identity), fields: [])) },
        FunctionEntry("Dropout", [.unlabeled("p", optional: true), .labeled("inplace")], "torch.nn.Dropout (p 0.5; train mode only)") { e, site in
            let p = try site.value("p").map { try e.staticDouble($0, what: "p", at: site.location("p")) } ?? 0.5
            let inplace = try e.staticBool(site, "inplace") ?? false
            guard (0...1).contains(p) else {
                throw Diagnostic("dropout probability has to be between 0 and 1, but got \(PrintFormatter.pythonRepr(p))", at: site.location("p"))
            }
            return .module(ModuleObject(.layer(.dropout(p: p, inplace: inplace)), fields: []))
        },
        FunctionEntry("Sequential", [.unlabeled("layers", optional: true, variadic: true)], "torch.nn.Sequential: layers run in order") { e, site in
            // `Sequential(layers)` with an array of modules is PyTorch's `nn.Sequential(*layers)`.
            var values = site.values("layers")
            if values.count == 1, case .array(let items) = values[0] { values = items }
            let layers = try values.enumerated().map { index, value -> (name: String, value: EvalValue) in
                guard case .module = value else {
                    throw Diagnostic("Sequential takes modules, got \(value.kindName)", at: site.location("layers"))
                }
                return (String(index), value)
            }
            return .module(ModuleObject(.layer(.sequential), fields: layers))
        },
        FunctionEntry("Embedding", [.unlabeled("count"), .unlabeled("dimension")], "torch.nn.Embedding: rows of a table") { e, site in
            try e.makeEmbedding(site)
        },
        FunctionEntry("LayerNorm", [.unlabeled("shape"), .labeled("eps"), .labeled("elementwiseAffine"), .labeled("bias")],
                      "torch.nn.LayerNorm over the last dimensions") { e, site in try e.makeLayerNorm(site) },
        // The functional forms (torch.nn.functional).
        FunctionEntry("linear", [.unlabeled("input"), .unlabeled("weight"), .unlabeled("bias", optional: true)],
                      "F.linear: x W^T + b") { e, site in
            .tensor(try e.linear(try e.asTensor(site.value("input")!, at: site.location("input")),
                                 weight: try e.asTensor(site.value("weight")!, at: site.location("weight")),
                                 bias: try site.value("bias").map { try e.asTensor($0, at: site.location("bias")) }, at: site.location))
        },
        FunctionEntry("embedding", [.unlabeled("input"), .unlabeled("weight")], "F.embedding: the rows of weight that int64 indices name") { e, site in
            .tensor(try e.embedding(try e.asTensor(site.value("input")!, at: site.location("input")),
                                    weight: try e.asTensor(site.value("weight")!, at: site.location("weight")), what: "embedding", at: site.location))
        },
        FunctionEntry("layerNorm", [.unlabeled("input"), .unlabeled("normalizedShape"), .labeled("weight"), .labeled("bias"), .labeled("eps")],
                      "F.layer_norm over the last dimensions (eps 1e-5)") { e, site in
            let shape = try e.shape(from: [site.value("normalizedShape")!], at: site.location("normalizedShape"))
            let eps = try site.value("eps").map { try e.staticDouble($0, what: "eps", at: site.location("eps")) } ?? 1e-5
            return .tensor(try e.layerNorm(try e.asTensor(site.value("input")!, at: site.location("input")), shape,
                                           weight: try e.optionalTensor(site, "weight"), bias: try e.optionalTensor(site, "bias"),
                                           eps: eps, what: "layerNorm", at: site.location))
        },
        FunctionEntry(syntax: "batchNorm", "F.batch_norm(x, runningMean, runningVar, weight:, bias:, training: false, momentum: 0.1, eps: 1e-5)") {
            e, arguments, closure, location in try e.functionalBatchNorm(arguments, closure, at: location)
        },
        FunctionEntry("dropout", [.unlabeled("input"), .labeled("p"), .labeled("training")],
                      "F.dropout (p 0.5, training true)") { e, site in
            let p = try site.value("p").map { try e.staticDouble($0, what: "p", at: site.location("p")) } ?? 0.5
            guard (0...1).contains(p) else {
                throw Diagnostic("dropout probability has to be between 0 and 1, but got \(PrintFormatter.pythonRepr(p))", at: site.location("p"))
            }
            var training = true
            if let value = site.value("training") {
                guard case .bool(let flag) = value else { throw Diagnostic("training must be true or false", at: site.location("training")) }
                training = flag
            }
            return .tensor(try e.dropout(try e.asTensor(site.value("input")!, at: site.location("input")), p: p, training: training, at: site.location))
        },
        batchNormEntry(1), batchNormEntry(2),
        FunctionEntry("clipGradNorm", [.unlabeled("parameters"), .labeled("maxNorm", optional: false)],
                      "torch.nn.utils.clip_grad_norm_: scales the gradients so their total 2-norm is at most maxNorm") { e, site in
            try e.clipGradNorm(site)
        },
        FunctionEntry("SGD", [.unlabeled("params")] + Evaluator.optimizerSettings(.sgd).map { .labeled($0.label) },
                      "torch.optim.SGD: stochastic gradient descent, with momentum") { e, site in try e.makeOptimizer(.sgd, site) },
        FunctionEntry("Adam", [.unlabeled("params")] + Evaluator.optimizerSettings(.adam).map { .labeled($0.label) },
                      "torch.optim.Adam") { e, site in try e.makeOptimizer(.adam, site) },
        FunctionEntry("AdamW", [.unlabeled("params")] + Evaluator.optimizerSettings(.adamW).map { .labeled($0.label) },
                      "torch.optim.AdamW: Adam with decoupled weight decay") { e, site in try e.makeOptimizer(.adamW, site) },
        FunctionEntry("RMSprop", [.unlabeled("params")] + Evaluator.optimizerSettings(.rmsprop).map { .labeled($0.label) },
                      "torch.optim.RMSprop") { e, site in try e.makeOptimizer(.rmsprop, site) },
        FunctionEntry("StepLR", [.unlabeled("optimizer"), .labeled("stepSize", optional: false), .labeled("gamma")],
                      "torch.optim.lr_scheduler.StepLR: lr times gamma every stepSize steps") { e, site in try e.makeScheduler(site) },
        FunctionEntry("CosineAnnealingLR", [.unlabeled("optimizer"), .labeled("tMax", optional: false), .labeled("etaMin")],
                      "torch.optim.lr_scheduler.CosineAnnealingLR: lr along a cosine from its base to etaMin over tMax steps") { e, site in
            try e.makeScheduler(site)
        },
    ])
}

extension BuiltinFamily {
    /// A layer with no settings whose forward is one tensor method (`ReLU()` is `x.relu()`);
    /// `inplace:` where PyTorch's takes it, shown in the repr (tgc's tensors are values, so the
    /// input is not overwritten: nothing reads it after the layer in a model).
    private static func activation(_ name: String, _ method: String, inplace takesInplace: Bool = false) -> FunctionEntry {
        FunctionEntry(name, takesInplace ? [.labeled("inplace")] : [], "torch.nn.\(name)") { e, site in
            let inplace = takesInplace ? try e.staticBool(site, "inplace") ?? false : false
            return e.methodLayer(name, method, [], repr: inplace ? "\(name)(inplace=True)" : "\(name)()")
        }
    }

    /// `BatchNorm1d(features, eps: 1e-5, momentum: 0.1, affine: true)` and `BatchNorm2d`.
    private static func batchNormEntry(_ dimensions: Int) -> FunctionEntry {
        FunctionEntry("BatchNorm\(dimensions)d", [.unlabeled("features"), .labeled("eps"), .labeled("momentum"), .labeled("affine")],
                      "torch.nn.BatchNorm\(dimensions)d: normalized per channel, running statistics as state") { e, site in
            try e.makeBatchNorm(dimensions, site)
        }
    }

    /// `Softmax(dim: 1)`: a layer whose forward is `x.softmax(dim:)`.
    private static func dimensionLayer(_ name: String, _ method: String) -> FunctionEntry {
        FunctionEntry(name, [.labeled("dim", optional: false)], "torch.nn.\(name) over one dimension") { e, site in
            let dim = try e.staticInt(site.value("dim")!, what: "dim", at: site.location("dim"))
            return e.methodLayer(name, method, [("dim", .int(dim))], repr: "\(name)(dim=\(dim))")
        }
    }
}

extension Evaluator {
    func methodLayer(_ typeName: String, _ method: String, _ arguments: [(label: String, value: ModuleObject.Option)], repr: String) -> EvalValue {
        .module(ModuleObject(.layer(.method(typeName: typeName, method: method, arguments: arguments, repr: repr)), fields: []))
    }

    /// `Embedding(count, dimension)`: weight [count, dimension] drawn from the standard normal, as
    /// PyTorch initializes it.
    func makeEmbedding(_ site: CallSite) throws -> EvalValue {
        let count = try staticInt(site.value("count")!, what: "num_embeddings", at: site.location("count"))
        let dimension = try staticInt(site.value("dimension")!, what: "embedding_dim", at: site.location("dimension"))
        guard count >= 0, dimension >= 0 else { throw Diagnostic("Embedding needs non-negative sizes", at: site.location) }
        _ = try shape(from: [.int(count), .int(dimension)], at: site.location)
        var attrs = Attributes()
        attrs.shape = [count, dimension]
        attrs.dtype = .float32
        var weight = try settingRequiresGrad(TensorValue(id: try builder.apply1(.randNormal, [], attrs, at: site.location)), true, at: site.location)
        weight.isParameter = true
        return .module(ModuleObject(.layer(.embedding(count: count, dimension: dimension)), fields: [("weight", .tensor(weight))]))
    }

    /// A batch norm: weight ones and bias zeros (when affine), running_mean zeros, running_var
    /// ones and num_batches_tracked 0 (int64), as PyTorch makes them.
    func makeBatchNorm(_ dimensions: Int, _ site: CallSite) throws -> EvalValue {
        let features = try staticInt(site.value("features")!, what: "num_features", at: site.location("features"))
        guard features > 0 else { throw Diagnostic("BatchNorm needs a positive number of features", at: site.location("features")) }
        _ = try shape(from: [.int(features)], at: site.location("features"))
        let eps = try site.value("eps").map { try staticDouble($0, what: "eps", at: site.location("eps")) } ?? 1e-5
        let momentum = try site.value("momentum").map { try staticDouble($0, what: "momentum", at: site.location("momentum")) } ?? 0.1
        var affine = true
        if let value = site.value("affine") {
            guard case .bool(let flag) = value else { throw Diagnostic("affine must be true or false", at: site.location("affine")) }
            affine = flag
        }
        var fields: [(name: String, value: EvalValue)] = []
        if affine {
            for (name, value) in [("weight", 1.0), ("bias", 0.0)] {
                var parameter = try settingRequiresGrad(TensorValue(id: try builder.full([features], value, .float32, at: site.location)), true, at: site.location)
                parameter.isParameter = true
                fields.append((name, .tensor(parameter)))
            }
        }
        fields.append(("running_mean", .tensor(TensorValue(id: try builder.full([features], 0, .float32, at: site.location)))))
        fields.append(("running_var", .tensor(TensorValue(id: try builder.full([features], 1, .float32, at: site.location)))))
        fields.append(("num_batches_tracked", .tensor(TensorValue(id: try builder.full([], 0, .int64, at: site.location)))))
        return .module(ModuleObject(.layer(.batchNorm(dimensions: dimensions, features: features, eps: eps, momentum: momentum, affine: affine)), fields: fields))
    }

    /// `LayerNorm([4])` or `LayerNorm(4)`: weight ones and bias zeros of that shape.
    func makeLayerNorm(_ site: CallSite) throws -> EvalValue {
        let shape = try shape(from: [site.value("shape")!], at: site.location("shape"))
        let eps = try site.value("eps").map { try staticDouble($0, what: "eps", at: site.location("eps")) } ?? 1e-5
        func flag(_ label: String) throws -> Bool {
            guard let value = site.value(label) else { return true }
            guard case .bool(let flag) = value else { throw Diagnostic("\(label) must be true or false", at: site.location(label)) }
            return flag
        }
        let (affine, hasBias) = (try flag("elementwiseAffine"), try flag("bias"))
        var fields: [(name: String, value: EvalValue)] = []
        if affine {
            for (name, value) in [("weight", 1.0), ("bias", 0.0)] where name == "weight" || hasBias {
                var parameter = try settingRequiresGrad(TensorValue(id: try builder.full(shape, value, .float32, at: site.location)), true, at: site.location)
                parameter.isParameter = true
                fields.append((name, .tensor(parameter)))
            }
        }
        return .module(ModuleObject(.layer(.layerNorm(shape: shape, eps: eps, affine: affine, bias: affine && hasBias)), fields: fields))
    }

    /// `Linear(3, 2, bias: true)`: weight [out, in] and bias [out], each uniform in
    /// ±1/√in_features (what PyTorch's Kaiming-uniform with a = √5 gives), weight drawn first.
    func makeLinear(_ site: CallSite) throws -> EvalValue {
        let inFeatures = try staticInt(site.value("inFeatures")!, what: "in_features", at: site.location("inFeatures"))
        let outFeatures = try staticInt(site.value("outFeatures")!, what: "out_features", at: site.location("outFeatures"))
        for (name, value) in [("inFeatures", inFeatures), ("outFeatures", outFeatures)] where value < 0 {
            throw Diagnostic("Linear needs non-negative sizes, got \(value)", at: site.location(name))
        }
        _ = try shape(from: [.int(outFeatures), .int(inFeatures)], at: site.location)
        var hasBias = true
        if let value = site.value("bias") {
            guard case .bool(let flag) = value else { throw Diagnostic("bias must be true or false", at: site.location("bias")) }
            hasBias = flag
        }
        let bound = inFeatures > 0 ? 1 / Double(inFeatures).squareRoot() : 0
        var fields: [(name: String, value: EvalValue)] = [("weight", .tensor(try uniformParameter([outFeatures, inFeatures], bound: bound, at: site.location)))]
        if hasBias { fields.append(("bias", .tensor(try uniformParameter([outFeatures], bound: bound, at: site.location)))) }
        return .module(ModuleObject(.layer(.linear(inFeatures: inFeatures, outFeatures: outFeatures, bias: hasBias)), fields: fields))
    }

    /// A float32 leaf that requires grad, uniform in [-bound, bound): `u * 2·bound - bound` of
    /// one draw of the Philox stream per element, as torch.nn.init.uniform_ computes it.
    func uniformParameter(_ shape: [Int], bound: Double, at location: SourceLocation) throws -> TensorValue {
        var attrs = Attributes()
        attrs.shape = shape
        attrs.dtype = .float32
        let draws = try builder.apply1(.randUniform, [], attrs, at: location)
        let scaled = try builder.apply1(.mul, [draws, try builder.scalar(2 * bound, .float32, at: location)], at: location)
        let values = try builder.apply1(.sub, [scaled, try builder.scalar(bound, .float32, at: location)], at: location)
        var parameter = try settingRequiresGrad(TensorValue(id: values), true, at: location)
        parameter.isParameter = true
        return parameter
    }

    /// The tensor argument `name`, nil when left out or `nil`.
    func optionalTensor(_ site: CallSite, _ name: String) throws -> TensorValue? {
        guard let value = site.value(name) else { return nil }
        if case .none = value { return nil }
        return try asTensor(value, at: site.location(name))
    }

    /// `batchNorm(x, runningMean, runningVar, weight:, bias:, training: false, momentum: 0.1,
    /// eps: 1e-5)`: running statistics nil (`nil` both) or [C]; in training, running
    /// statistics given are updated in place, as PyTorch does, so they have to be variables.
    func functionalBatchNorm(_ arguments: [Argument], _ closure: Closure?, at location: SourceLocation) throws -> EvalValue {
        try rejectClosure(closure, "batchNorm")
        var site = CallSite(name: "batchNorm", location: location, arguments: try arguments.map { argument in
            (argument.label, try evaluate(argument.value), argument.location)
        })
        try site.bind([.unlabeled("input"), .unlabeled("runningMean"), .unlabeled("runningVar")]
                      + ["weight", "bias", "training", "momentum", "eps"].map { .labeled($0) })
        let input = try asTensor(site.value("input")!, at: site.location("input"))
        let type = builder.type(of: input.id)
        guard type.dtype == .float32, type.rank >= 2 else {
            throw Diagnostic("batchNorm needs a float32 input of rank 2 or more, got \(type.dtype)\(formatShape(type.shape))", at: site.location("input"))
        }
        let names = ["runningMean", "runningVar", "weight", "bias"]
        let tensors = try names.map { try optionalTensor(site, $0) }
        for (name, tensor) in zip(names, tensors) {
            guard let tensor, builder.type(of: tensor.id).shape != [type.shape[1]] else { continue }
            throw Diagnostic("batchNorm: \(name) has to be [\(type.shape[1])] for the input \(formatShape(type.shape)), got \(formatShape(builder.type(of: tensor.id).shape))", at: site.location(name))
        }
        guard (tensors[0] == nil) == (tensors[1] == nil) else {
            throw Diagnostic("batchNorm needs both running statistics or neither (nil)", at: site.location("runningVar"))
        }
        var training = false
        if let value = site.value("training") {
            guard case .bool(let flag) = value else { throw Diagnostic("training must be true or false", at: site.location("training")) }
            training = flag
        }
        let momentum = try site.value("momentum").map { try staticDouble($0, what: "momentum", at: site.location("momentum")) } ?? 0.1
        let eps = try site.value("eps").map { try staticDouble($0, what: "eps", at: site.location("eps")) } ?? 1e-5
        let running = tensors[0].map { ($0, tensors[1]!) }
        let (output, updated) = try batchNorm(input, running: running, weight: tensors[2], bias: tensors[3],
                                              training: training, momentum: momentum, eps: eps, at: site.location)
        if let updated {
            for (index, value) in [(1, updated.mean), (2, updated.variance)] {
                guard case .identifier(let variable) = arguments[index].value.kind else {
                    throw Diagnostic("batchNorm in training updates \(names[index - 1]) in place: pass a variable", at: arguments[index].location)
                }
                try assignVariable(variable, .tensor(value), at: arguments[index].location)
            }
        }
        return .tensor(output)
    }
}
