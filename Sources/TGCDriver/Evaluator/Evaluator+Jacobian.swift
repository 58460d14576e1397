import TGCBase
import TGCCore
import TGCSyntax

/// `jacobian(of: y, wrt: x)` and `hessian(of: y, wrt: x)`, as torch.autograd.functional's
/// (which take a function where tgc takes its value): one reverse sweep per element of y, each
/// seeded with that element's one-hot tensor, the rows stacked. The results have no history.
extension Evaluator {
    /// The most elements a differentiated value may have: each costs one reverse sweep.
    static let maximumJacobianRows = 4096

    /// `jacobian(of: y, wrt: x)`: shape y.shape + x.shape, d y[i...] / d x[j...].
    func jacobian(_ site: CallSite) throws -> EvalValue {
        guard case .tensor(let output)? = site.value("of") else {
            throw Diagnostic("jacobian(of:wrt:) needs a tensor to differentiate, got \(site.value("of")?.kindName ?? "nothing")", at: site.location("of"))
        }
        guard builder.type(of: output.id).dtype.isFloatingPoint else {
            throw Diagnostic("jacobian(of:wrt:) needs a floating-point tensor to differentiate, got a \(builder.type(of: output.id).dtype) tensor", at: site.location("of"))
        }
        let wrt = try floatArguments(site, "wrt", "jacobian(of:wrt:)")
        return .tensor(TensorValue(id: try jacobian(of: output.id, wrt: wrt[0], at: site.location)))
    }

    /// `hessian(of: y, wrt: x)`: y a scalar; shape x.shape + x.shape, the jacobian of y's gradient.
    func hessian(_ site: CallSite) throws -> EvalValue {
        let output = try differentiatedScalar(site, "hessian(of:wrt:)")
        let wrt = try floatArguments(site, "wrt", "hessian(of:wrt:)")
        let at = site.location
        let gradient = try builder.gradient(of: try builder.reshape(output.id, to: [], at: at), seed: nil, wrt: wrt, at: at)[0]
        return .tensor(TensorValue(id: try jacobian(of: gradient, wrt: wrt[0], at: at)))
    }

    /// The rows d output[i] / d x, one gradient each, stacked and shaped output.shape + x.shape.
    private func jacobian(of output: ValueID, wrt x: ValueID, at location: SourceLocation) throws -> ValueID {
        let (outputType, xShape) = (builder.type(of: output), builder.type(of: x).shape)
        let rows = outputType.elementCount
        guard rows <= Self.maximumJacobianRows else {
            throw Diagnostic("a jacobian of a value with \(rows) elements needs \(rows) reverse sweeps; at most \(Self.maximumJacobianRows) are allowed", at: location)
        }
        // Seed i is `positions == i`: no constant of rows² elements in the program.
        let positions = try builder.indices(rows, at: location)
        var gradients: [ValueID] = []
        for row in 0..<rows {
            let isRow = try builder.apply1(.equal, [positions, try builder.scalar(Double(row), .int64, at: location)], at: location)
            let seed = try builder.reshape(try builder.cast(isRow, to: outputType.dtype, at: location), to: outputType.shape, at: location)
            let gradient = try builder.detachedGradient(of: output, seed: seed, wrt: [x], at: location)[0]
            gradients.append(try builder.reshape(gradient, to: [1] + xShape, at: location))
        }
        let stacked = rows == 0
            ? try builder.full([0] + xShape, 0, builder.type(of: x).dtype, at: location)
            : rows == 1 ? gradients[0] : try builder.concatenate(gradients, axis: 0, at: location)
        return try builder.reshape(stacked, to: outputType.shape + xShape, at: location)
    }
}
