import TGCBase
import TGCCore

/// Neural-network layers (`Linear`) and optimizers (`SGD`, `Adam`, Evaluator+Optimizers.swift):
/// constructors that make module objects (ModuleObject)
/// whose parameters are leaves drawn from the run's Philox stream with PyTorch's initialization.
/// A layer's forward is `Evaluator.callModule`; its methods are ModuleMethod.
extension BuiltinFamily {
    static let nn = BuiltinFamily(name: "nn", functions: [
        FunctionEntry("Linear", [.unlabeled("inFeatures"), .unlabeled("outFeatures"), .labeled("bias")],
                      "torch.nn.Linear: y = x W^T + b") { e, site in try e.makeLinear(site) },
        FunctionEntry("SGD", [.unlabeled("params")] + Evaluator.optimizerSettings(.sgd).map { .labeled($0.label) },
                      "torch.optim.SGD: stochastic gradient descent, with momentum") { e, site in try e.makeOptimizer(.sgd, site) },
        FunctionEntry("Adam", [.unlabeled("params")] + Evaluator.optimizerSettings(.adam).map { .labeled($0.label) },
                      "torch.optim.Adam") { e, site in try e.makeOptimizer(.adam, site) },
    ])
}

extension Evaluator {
    /// `Linear(3, 2, bias: true)`: weight [out, in] and bias [out], each uniform in
    /// ±1/√in_features (what PyTorch's Kaiming-uniform with a = √5 gives), weight drawn first.
    func makeLinear(_ site: CallSite) throws -> EvalValue {
        let inFeatures = try staticInt(site.value("inFeatures")!, what: "in_features", at: site.location("inFeatures"))
        let outFeatures = try staticInt(site.value("outFeatures")!, what: "out_features", at: site.location("outFeatures"))
        for (name, value) in [("inFeatures", inFeatures), ("outFeatures", outFeatures)] where value < 0 {
            throw Diagnostic("Linear needs non-negative sizes, got \(value)", at: site.location(name))
        }
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
    private func uniformParameter(_ shape: [Int], bound: Double, at location: SourceLocation) throws -> TensorValue {
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
}
