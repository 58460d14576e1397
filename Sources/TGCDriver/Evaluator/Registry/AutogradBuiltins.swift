import TGCBase
import TGCCore

/// Autograd: `y.backward()`, `grad(of:wrt:)`, `x.detach()`, `noGrad { }`, `x.grad.zero()`. The
/// properties `requiresGrad`, `isLeaf` and `grad` are in TensorProperties.swift; assigning
/// `x.requiresGrad` and `x.grad` is in Evaluator+Assignment.swift.
extension BuiltinFamily {
    static let autograd = BuiltinFamily(name: "autograd", functions: [
        FunctionEntry(name(.gradient), [.labeled("of", optional: false), .labeled("wrt", optional: false, variadic: true)],
                      "the gradients of a scalar with respect to float tensors (JAX's grad)") { e, site in
            try e.functionalGradient(site)
        },
        FunctionEntry(syntax: "noGrad", "runs its trailing closure without recording autograd history") { e, arguments, closure, location in
            try e.noGrad(arguments, closure, at: location)
        },
    ], methods: [
        MethodEntry(methodName(.gradient), [.unlabeled("gradient", optional: true)],
                    "accumulates the gradient of the value into the .grad of its leaves") { e, x, site in
            try e.backward(x, gradient: site.value("gradient"), at: site.location)
            return .void
        },
        MethodEntry(methodName(.stopGradient), [], "the value cut off from autograd history") { e, x, site in
            var result = TensorValue(id: try e.builder.apply1(.stopGradient, [x.id], at: site.location))
            result.isHostScalar = x.isHostScalar
            return .tensor(result)
        },
    ], mutatingMethods: [
        MutatingMethodEntry(name: "zero", summary: "fills a variable or a leaf's .grad with zeros in place") { e, receiver, x, site in
            try e.zeroInPlace(receiver, x, at: site.location)
        },
    ])
}
