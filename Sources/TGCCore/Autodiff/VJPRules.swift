import TGCBase

/// The one derivative rule of every differentiable op (those whose OpDef names a PyTorch
/// backward node; a test checks the two agree), written against the Builder so the IR
/// autodiff pass and eager mode's tape share it. nil: the op has no derivative. Control flow
/// exists only in IR (eager mode's tape holds the ops that ran): the autodiff pass unrolls a
/// loop (Passes/LoopUnrolling.swift) and gives an `if` an adjoint `if`
/// (Passes/BranchDifferentiation.swift).
public enum VJPRules {
    public static func rule(for kind: OpKind) -> VJPRule? {
        switch kind {
        case .neg: unaryRule { b, x, y, g, at in try b.apply1(.neg, [g], at: at) }
        case .exp: unaryRule { b, x, y, g, at in try b.apply1(.mul, [g, y], at: at) }
        case .log: unaryRule { b, x, y, g, at in try b.apply1(.div, [g, x], at: at) }
        case .sin: unaryRule { b, x, y, g, at in try b.apply1(.mul, [g, try b.apply1(.cos, [x], at: at)], at: at) }
        case .cos:
            unaryRule { b, x, y, g, at in   // g * -sin(x), as PyTorch (its grad_fn under createGraph is MulBackward0)
                try b.apply1(.mul, [g, try b.apply1(.neg, [try b.apply1(.sin, [x], at: at)], at: at)], at: at)
            }
        case .tanh:
            unaryRule { b, x, y, g, at in   // g * (1 - y²)
                let ySquared = try b.apply1(.mul, [y, y], at: at)
                let one = try b.scalar(1, .float32, at: at)
                return try b.apply1(.mul, [g, try b.apply1(.sub, [one, ySquared], at: at)], at: at)
            }
        case .sqrt:
            unaryRule { b, x, y, g, at in   // g / (2 y)
                try b.apply1(.div, [g, try b.apply1(.mul, [y, try b.scalar(2, .float32, at: at)], at: at)], at: at)
            }
        case .sigmoid:
            unaryRule { b, x, y, g, at in   // g * y * (1 - y)
                let oneMinusY = try b.apply1(.sub, [try b.scalar(1, .float32, at: at), y], at: at)
                return try b.apply1(.mul, [g, try b.apply1(.mul, [y, oneMinusY], at: at)], at: at)
            }
        case .abs: unaryRule { b, x, y, g, at in try b.apply1(.mul, [g, try b.apply1(.sign, [x], at: at)], at: at) }
        case .relu:
            unaryRule { b, x, y, g, at in   // g where y > 0, i.e. x > 0: reads the result, as PyTorch
                // does, so the pre-activation (often a matmul's epilogue) need not outlive the op.
                // A select, not a product with a 0/1 mask: +0 where x <= 0 whatever g's sign, as PyTorch.
                let positive = try b.apply1(.greater, [y, try b.scalar(0, b.type(of: y).dtype, at: at)], at: at)
                return try b.apply1(.select, [positive, g, try b.scalar(0, .float32, at: at)], at: at)
            }
        // Chapter 2 math
        case .floor, .ceil, .round, .trunc, .frac, .log1p, .expm1, .log2, .log10, .exp2, .rsqrt, .reciprocal,
             .square, .tan, .asin, .acos, .atan, .sinh, .cosh, .erf, .softplus, .silu, .gelu, .elu, .leakyRelu, .clamp:
            mathRule(kind)
        case .cast:
            unaryRule { b, x, y, g, at in g }   // float -> float only: wants[] is false for other sources
        case .reshape:
            unaryRule { b, x, y, g, at in try b.reshape(g, to: b.type(of: x).shape, at: at) }
        case .broadcastTo:
            unaryRule { b, x, y, g, at in try b.sum(g, toShape: b.type(of: x).shape, at: at) }
        case .transpose:
            { b, operands, results, attrs, cotangents, wants, at in
                let permutation = attrs.permutation!
                var inverse = permutation
                for (i, p) in permutation.enumerated() { inverse[p] = i }
                return [try b.transpose(cotangents[0]!, permutation: inverse, at: at)]
            }
        case .cyclicShift:
            { b, operands, results, attrs, cotangents, wants, at in
                // i -> (s * i + c) mod n is inverted by j -> (s * j - s * c) mod n.
                let axis = attrs.axes![0]
                let (step, start) = (Int(attrs.step!), Int(attrs.start!))
                return [try b.cyclicShift(cotangents[0]!, axis: axis, step: step, start: -step * start, at: at)]
            }
        // Indexing
        case .slice:
            { b, operands, results, attrs, cotangents, wants, at in   // g written into zeros
                guard wants[0], let g = cotangents[0] else { return [nil] }
                let type = b.type(of: operands[0])
                return [try b.apply1(.sliceUpdate, [try b.full(type.shape, 0, type.dtype, at: at), g], attrs, at: at)]
            }
        case .sliceUpdate:
            { b, operands, results, attrs, cotangents, wants, at in   // base: g with the region zeroed; value: g's region
                guard let g = cotangents[0] else { return [nil, nil] }
                let valueType = b.type(of: operands[1])
                let zeros = wants[0] ? try b.full(valueType.shape, 0, valueType.dtype, at: at) : nil
                return [try zeros.map { try b.apply1(.sliceUpdate, [g, $0], attrs, at: at) },
                        wants[1] ? try b.apply1(.slice, [g], attrs, at: at) : nil]
            }
        case .indexSelect:
            { b, operands, results, attrs, cotangents, wants, at in   // g's rows added into zeros at the index
                guard wants[0], let g = cotangents[0] else { return [nil, nil] }
                let (x, count) = (b.type(of: operands[0]), b.type(of: operands[1]).elementCount)
                let index = try b.reshape(operands[1], to: [count], at: at)
                let rows = try b.reshape(g, to: [count] + x.shape.dropFirst(), at: at)
                return [try b.apply1(.indexAdd, [try b.full(x.shape, 0, x.dtype, at: at), index, rows], at: at), nil]
            }
        case .indexAdd:
            { b, operands, results, attrs, cotangents, wants, at in   // base: g; value: g's rows at the index
                guard let g = cotangents[0] else { return [nil, nil, nil] }
                return [wants[0] ? g : nil, nil, wants[2] ? try b.apply1(.indexSelect, [g, operands[1]], at: at) : nil]
            }
        // Selecting (VJPRules+Selection.swift)
        case .gather, .scatter, .scatterAdd: selectionRule(kind)
        case .reduceSum, .cascadeSum:
            { b, operands, results, attrs, cotangents, wants, at in
                // A float32 sum kept in double: its gradient in float32 before it is spread.
                let x = b.type(of: operands[0]).dtype
                let g = x.isFloatingPoint ? try b.cast(cotangents[0]!, to: x, at: at) : cotangents[0]!
                return [try expandReduced(b, g, like: operands[0], attrs, at)]
            }
        case .nllSum:   // each value not skipped gets g (a skipped one is a constant 0 of the loss)
            { b, operands, results, attrs, cotangents, wants, at in
                let values = b.type(of: operands[0])
                let spread = try b.broadcast(cotangents[0]!, to: values.shape, at: at)
                return [try b.apply1(.select, [operands[1], try b.scalar(0, values.dtype, at: at), spread], at: at), nil]
            }
        case .reduceMax, .reduceMin:
            { b, operands, results, attrs, cotangents, wants, at in
                let x = operands[0]
                let g = try keepDims(b, cotangents[0]!, x, attrs, at)
                if let axes = attrs.axes, axes.count == 1 {
                    // max(dim:) and min(dim:): the whole gradient goes to the element the index
                    // result names (the first extreme), as PyTorch's max(dim) backward does.
                    return [try routeToIndex(b, x, g, axis: axes[0], argKind: kind == .reduceMax ? .argMax : .argMin, at)]
                }
                // A full reduction shares the gradient evenly between the elements equal to the extreme.
                let extreme = try expandReduced(b, results[0], like: x, attrs, at)
                let isExtreme = try b.apply1(.equal, [x, extreme], at: at)
                var keep = attrs
                keep.keepDim = true
                let ties = try b.apply1(.reduceSum, [try b.cast(isExtreme, to: .float32, at: at)], keep, at: at)
                // +0 elsewhere whatever g's sign (a select, not a product with a 0/1 mask), as PyTorch.
                return [try b.apply1(.select, [isExtreme, try b.apply1(.div, [g, ties], at: at), try b.scalar(0, .float32, at: at)], at: at)]
            }
        // Chapter 2 math
        case .reduceProd:
            { b, operands, results, attrs, cotangents, wants, at in
                // g times the product of the other elements of its slice, without dividing by
                // zero: the product of the nonzero elements divided by this one's (a zero counts
                // as 1), where no other element of the slice is zero, else 0. So one zero gets the
                // product of the rest and two or more zeros give 0 everywhere, as PyTorch's.
                let x = operands[0]
                let g = try expandReduced(b, cotangents[0]!, like: x, attrs, at)
                var keep = attrs
                keep.keepDim = true
                let isZero = try b.apply1(.equal, [x, try b.scalar(0, .float32, at: at)], at: at)
                let nonzero = try b.apply1(.select, [isZero, try b.scalar(1, .float32, at: at), x], at: at)
                let product = try b.apply1(.reduceProd, [nonzero], keep, at: at)
                let zeroCount = try b.cast(isZero, to: .int64, at: at)
                let zerosElsewhere = try b.apply1(.sub, [try b.apply1(.reduceSum, [zeroCount], keep, at: at), zeroCount], at: at)
                let othersNonzero = try b.apply1(.equal, [zerosElsewhere, try b.scalar(0, .int64, at: at)], at: at)
                let others = try b.apply1(.div, [product, nonzero], at: at)
                return [try b.apply1(.mul, [g, try b.apply1(.select, [othersNonzero, others, try b.scalar(0, .float32, at: at)], at: at)], at: at)]
            }
        case .cumsum:
            { b, operands, results, attrs, cotangents, wants, at in   // g's running sums from the end: flip, cumsum, flip
                guard wants[0], let g = cotangents[0] else { return [nil] }
                let shape = b.type(of: operands[0]).shape
                guard !shape.isEmpty else { return [g] }
                let (axis, last) = (attrs.axes![0], shape[attrs.axes![0]] - 1)
                let flipped = try b.cyclicShift(g, axis: axis, step: -1, start: last, at: at)
                return [try b.cyclicShift(try b.apply1(.cumsum, [flipped], attrs, at: at), axis: axis, step: -1, start: last, at: at)]
            }
        case .add:
            binaryRule { b, x, y, out, g, at in (g, g) }
        case .sub:
            binaryRule { b, x, y, out, g, at in (g, try b.apply1(.neg, [g], at: at)) }
        case .mul:
            binaryRule { b, x, y, out, g, at in
                (try b.apply1(.mul, [g, y], at: at), try b.apply1(.mul, [g, x], at: at))
            }
        case .div:
            binaryRule { b, x, y, out, g, at in   // (g / y, -g * out / y)
                let gx = try b.apply1(.div, [g, y], at: at)
                return (gx, try b.apply1(.neg, [try b.apply1(.mul, [gx, out], at: at)], at: at))
            }
        case .pow:
            { b, operands, results, attrs, cotangents, wants, at in
                let (x, y, out, g) = (operands[0], operands[1], results[0], cotangents[0]!)
                var grads: [ValueID?] = [nil, nil]
                let zero = try b.scalar(0, .float32, at: at)
                if wants[0] {   // g * y * x^(y - 1), and 0 where y == 0 (PyTorch's convention)
                    let yMinusOne = try b.apply1(.sub, [y, try b.scalar(1, b.type(of: y).dtype, at: at)], at: at)
                    let slope = try b.apply1(.mul, [y, try b.apply1(.pow, [x, yMinusOne], at: at)], at: at)
                    let zeroPower = try b.apply1(.equal, [y, try b.scalar(0, b.type(of: y).dtype, at: at)], at: at)
                    let masked = try b.apply1(.select, [zeroPower, zero, slope], at: at)
                    grads[0] = try b.sum(try b.apply1(.mul, [g, masked], at: at), toShape: b.type(of: x).shape, at: at)
                }
                if wants[1] {   // g * out * log(x), and 0 where x == 0 and y >= 0 (PyTorch's convention)
                    let slope = try b.apply1(.mul, [out, try b.apply1(.log, [x], at: at)], at: at)
                    let atZero = try b.apply1(.logicalAnd, [try b.apply1(.equal, [x, zero], at: at),
                                                            try b.apply1(.greaterEqual, [y, zero], at: at)], at: at)
                    let masked = try b.apply1(.select, [atZero, zero, slope], at: at)
                    grads[1] = try b.sum(try b.apply1(.mul, [g, masked], at: at), toShape: b.type(of: y).shape, at: at)
                }
                return grads
            }
        // Chapter 2 math
        case .atan2:
            binaryRule { b, x, y, out, g, at in   // (g y, -g x) / (x² + y²), and 0 at the origin as PyTorch's
                let denominator = try b.apply1(.add, [try b.apply1(.mul, [x, x], at: at), try b.apply1(.mul, [y, y], at: at)], at: at)
                let zero = try b.scalar(0, .float32, at: at)
                let atOrigin = try b.apply1(.equal, [denominator, zero], at: at)
                let scaled = try b.apply1(.select, [atOrigin, zero, try b.apply1(.div, [g, denominator], at: at)], at: at)
                return (try b.apply1(.mul, [scaled, y], at: at), try b.apply1(.neg, [try b.apply1(.mul, [scaled, x], at: at)], at: at))
            }
        case .maximum, .minimum:
            { b, operands, results, attrs, cotangents, wants, at in
                // PyTorch's formula: ties split the gradient in half, the losing side gets +0
                // (a select, so an infinite or NaN gradient does not leak into it), and where
                // neither wins (NaN) both sides get the gradient.
                let (x, y, g) = (operands[0], operands[1], cotangents[0]!)
                let xLoses = try b.apply1(kind == .maximum ? .less : .greater, [x, y], at: at)
                let yLoses = try b.apply1(kind == .maximum ? .greater : .less, [x, y], at: at)
                let tie = try b.apply1(.equal, [x, y], at: at)
                let half = try b.apply1(.mul, [g, try b.scalar(0.5, .float32, at: at)], at: at)
                let zero = try b.scalar(0, .float32, at: at)
                let shared = try b.apply1(.select, [tie, half, g], at: at)
                let gx = try b.apply1(.select, [xLoses, zero, shared], at: at)
                let gy = try b.apply1(.select, [yLoses, zero, shared], at: at)
                return [try b.sum(gx, toShape: b.type(of: x).shape, at: at),
                        try b.sum(gy, toShape: b.type(of: y).shape, at: at)]
            }
        case .select:
            { b, operands, results, attrs, cotangents, wants, at in
                let (condition, g) = (operands[0], cotangents[0]!)
                let zero = try b.scalar(0, .float32, at: at)
                return [nil,
                        try b.sum(try b.apply1(.select, [condition, g, zero], at: at), toShape: b.type(of: operands[1]).shape, at: at),
                        try b.sum(try b.apply1(.select, [condition, zero, g], at: at), toShape: b.type(of: operands[2]).shape, at: at)]
            }
        case .fusedMultiplyAdd:   // a · b + c: (g·b, g·a, g), each summed to its operand's shape
            { b, operands, results, attrs, cotangents, wants, at in
                let g = cotangents[0]!
                return [wants[0] ? try b.sum(try b.apply1(.mul, [g, operands[1]], at: at), toShape: b.type(of: operands[0]).shape, at: at) : nil,
                        wants[1] ? try b.sum(try b.apply1(.mul, [g, operands[0]], at: at), toShape: b.type(of: operands[1]).shape, at: at) : nil,
                        wants[2] ? try b.sum(g, toShape: b.type(of: operands[2]).shape, at: at) : nil]
            }
        case .matmul:
            { b, operands, results, attrs, cotangents, wants, at in   // (g Bᵀ, Aᵀ g), summed over broadcast batch dims
                let (a, bMatrix, g) = (operands[0], operands[1], cotangents[0]!)
                func transposed(_ x: ValueID) throws -> ValueID {   // the last two dimensions swapped
                    let rank = b.type(of: x).rank
                    return try b.transpose(x, permutation: Array(0..<rank - 2) + [rank - 1, rank - 2], at: at)
                }
                return [wants[0] ? try b.sum(try b.apply1(.matmul, [g, try transposed(bMatrix)], at: at), toShape: b.type(of: a).shape, at: at) : nil,
                        wants[1] ? try b.sum(try b.apply1(.matmul, [try transposed(a), g], at: at), toShape: b.type(of: bMatrix).shape, at: at) : nil]
            }
        // Convolution (VJPRules+Convolution.swift)
        case .conv2d, .conv2dInputGrad, .conv2dWeightGrad: convolutionRule(kind)
        case .maxPool2d: maxPoolRule()
        case .sign:
            unaryRule { b, x, y, g, at in try b.full(b.type(of: x).shape, 0, b.type(of: x).dtype, at: at) }   // flat almost everywhere
        case .mod:
            binaryRule { b, x, y, out, g, at in   // x - y·floor(x / y): (g, -g·floor(x / y)), floor(x / y) = (x - out) / y
                let quotient = try b.apply1(.div, [try b.apply1(.sub, [x, out], at: at), y], at: at)
                return (g, try b.apply1(.neg, [try b.apply1(.mul, [g, quotient], at: at)], at: at))
            }
        case .constant, .arange, .randUniform, .randNormal, .input, .hyper, .load, .logicalNot,
             .stopGradient, .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual,
             .logicalAnd, .logicalOr, .argMax, .argMin, .argsort, .maxPool2dIndices, .print, .save, .manualSeed, .addScalar, .progress, .loopExit, .gradient,
             .allReduce, .processRank, .forLoop, .ifElse, .yield, .fusion:
            nil
        }
    }

    /// A rule for a one-operand op from `(builder, x, y, g, location) -> dx`.
    private static func unaryRule(_ body: @escaping (Builder, ValueID, ValueID, ValueID, SourceLocation) throws -> ValueID) -> VJPRule {
        { b, operands, results, _, cotangents, wants, at in
            guard wants[0], let g = cotangents[0] else { return [nil] }
            return [try body(b, operands[0], results[0], g, at)]
        }
    }

    /// A rule for a broadcasting two-operand op; the cotangents are summed back to each operand's shape.
    private static func binaryRule(_ body: @escaping (Builder, ValueID, ValueID, ValueID, ValueID, SourceLocation) throws -> (ValueID, ValueID)) -> VJPRule {
        { b, operands, results, _, cotangents, wants, at in
            guard let g = cotangents[0] else { return [nil, nil] }
            let (gx, gy) = try body(b, operands[0], operands[1], results[0], g, at)
            return [wants[0] ? try b.sum(gx, toShape: b.type(of: operands[0]).shape, at: at) : nil,
                    wants[1] ? try b.sum(gy, toShape: b.type(of: operands[1]).shape, at: at) : nil]
        }
    }

    /// `g` (the cotangent of a reduction's result) reshaped to keep the reduced dims as size 1.
    private static func keepDims(_ b: Builder, _ g: ValueID, _ x: ValueID, _ attrs: Attributes, _ at: SourceLocation) throws -> ValueID {
        let shape = b.type(of: x).shape
        let axes = attrs.axes ?? Array(shape.indices)
        return try b.reshape(g, to: ShapeRules.reduced(shape, axes: axes, keepDim: true), at: at)
    }

    /// `g` (x's shape with 1 at `axis`) placed at the index `argKind` picks along `axis`, zeros elsewhere.
    private static func routeToIndex(_ b: Builder, _ x: ValueID, _ g: ValueID, axis: Int, argKind: OpKind,
                                     _ at: SourceLocation) throws -> ValueID {
        let shape = b.type(of: x).shape
        var argAttrs = Attributes()
        argAttrs.axes = [axis]
        argAttrs.keepDim = true
        let index = try b.apply1(argKind, [x], argAttrs, at: at)
        var positionAttrs = Attributes()
        positionAttrs.start = 0
        positionAttrs.step = 1
        positionAttrs.shape = [shape[axis]]
        positionAttrs.dtype = .int64
        var positionShape = [Int](repeating: 1, count: shape.count)
        positionShape[axis] = shape[axis]
        let positions = try b.reshape(try b.apply1(.arange, [], positionAttrs, at: at), to: positionShape, at: at)
        let picked = try b.apply1(.equal, [positions, index], at: at)
        return try b.apply1(.select, [picked, g, try b.scalar(0, .float32, at: at)], at: at)
    }

    /// `g` broadcast back over the reduced dims to the shape of `x`.
    private static func expandReduced(_ b: Builder, _ g: ValueID, like x: ValueID, _ attrs: Attributes, _ at: SourceLocation) throws -> ValueID {
        try b.broadcast(try keepDims(b, g, x, attrs, at), to: b.type(of: x).shape, at: at)
    }
}
