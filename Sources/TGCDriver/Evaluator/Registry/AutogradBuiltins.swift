import TGCBase
import TGCCore

/// Autograd: `y.backward()`, `grad(of:wrt:)`, `x.detach()`, `noGrad { }`, `x.grad.zero()`. The
/// properties `requiresGrad`, `isLeaf` and `grad` are in TensorProperties.swift; assigning
/// `x.requiresGrad` and `x.grad` is in Evaluator+Assignment.swift.
extension BuiltinFamily {
    static let autograd = BuiltinFamily(name: "autograd", functions: [
        FunctionEntry(name(.gradient), [.labeled("of", optional: false), .labeled("wrt", optional: false, variadic: true),
                                        .labeled("retainGraph"), .labeled("createGraph")],
                      "the gradients of a scalar with respect to float tensors (JAX's grad); createGraph: true gives them history; retainGraph: is accepted (grad never frees the graph)") { e, site in
            _ = try e.staticBool(site, "retainGraph")
            return try e.functionalGradient(site)
        },
        FunctionEntry("Parameter", [.unlabeled("data"), .labeled("requiresGrad")],
                      "nn.Parameter: the values as a new leaf (a module's parameter), requiring grad unless requiresGrad: false") { e, site in
            guard case .tensor(let data)? = site.value("data") else {
                throw Diagnostic("Parameter takes a tensor: Parameter(ones([3]))", at: site.location("data"))
            }
            let detached = TensorValue(id: try e.builder.apply1(.stopGradient, [data.id], at: site.location))
            var parameter = try e.settingRequiresGrad(detached, try e.staticBool(site, "requiresGrad") ?? true, at: site.location)
            parameter.isParameter = true
            return .tensor(parameter)
        },
        FunctionEntry("jacobian", [.labeled("of", optional: false), .labeled("wrt", optional: false)],
                      "the jacobian of a float tensor with respect to another, shaped y.shape + x.shape") { e, site in
            try e.jacobian(site)
        },
        FunctionEntry("hessian", [.labeled("of", optional: false), .labeled("wrt", optional: false)],
                      "the hessian of a scalar with respect to a float tensor, shaped x.shape + x.shape") { e, site in
            try e.hessian(site)
        },
        FunctionEntry(syntax: "noGrad", "runs its trailing closure without recording autograd history") { e, arguments, closure, location in
            try e.withGradMode(false, "noGrad", arguments, closure, at: location)
        },
        FunctionEntry(syntax: "enableGrad", "runs its trailing closure recording autograd history, also inside noGrad") { e, arguments, closure, location in
            try e.withGradMode(true, "enableGrad", arguments, closure, at: location)
        },
        FunctionEntry("setGradEnabled", [.unlabeled("enabled", optional: false)],
                      "switches autograd recording on or off for the statements that follow") { e, site in
            try e.setGradEnabled(site)
        },
        FunctionEntry("isGradEnabled", [], "whether autograd records history here") { e, site in
            .bool(e.gradEnabled)
        },
    ], methods: [
        MethodEntry(methodName(.gradient), [.unlabeled("gradient", optional: true), .labeled("retainGraph"), .labeled("createGraph")],
                    "accumulates the gradient of the value into the .grad of its leaves") { e, x, site in
            try e.backward(x, gradient: site.value("gradient"), retainGraph: try e.staticBool(site, "retainGraph"),
                           createGraph: try e.staticBool(site, "createGraph") ?? false, at: site.location)
            return .void
        },
        MethodEntry(methodName(.stopGradient), [], "the value cut off from autograd history") { e, x, site in
            var result = TensorValue(id: try e.builder.apply1(.stopGradient, [x.id], at: site.location))
            result.isHostScalar = x.isHostScalar
            return .tensor(result)
        },
    ], mutatingMethods: [
        MutatingMethodEntry(name: "retainGrad", summary: "keeps the gradient of a non-leaf in its .grad after backward()") { e, receiver, x, site in
            try e.retainGrad(receiver, x, at: site.location)
        },
        MutatingMethodEntry(name: "zero", summary: "fills a variable or a leaf's .grad with zeros in place") { e, receiver, x, site in
            try e.zeroInPlace(receiver, x, at: site.location)
        },
        MutatingMethodEntry(name: "requiresGrad_", summary: "x.requiresGrad = flag (default true), returning x: PyTorch's requires_grad_()") { e, receiver, x, site in
            var site = site
            try site.bind([.unlabeled("requiresGrad", optional: true)])
            let flag = try e.staticBool(site, "requiresGrad") ?? true
            // A value no variable holds (`randn([3]).requiresGrad_()`) is changed as it is returned.
            if case .identifier = receiver.kind {} else if !x.isParameter {
                return .tensor(try e.settingRequiresGrad(x, flag, at: site.location))
            }
            return .tensor(try e.setRequiresGrad(receiver, x, flag, at: site.location))
        },
    ])
}
