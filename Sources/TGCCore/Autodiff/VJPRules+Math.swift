import TGCBase

/// The derivatives of chapter 2's one-operand math ops, each PyTorch's formula
/// (tools/autograd/derivatives.yaml) with its conventions: floor, ceil, round and trunc have a
/// zero gradient everywhere (not an undefined one at their jumps), frac's is 1, and softplus
/// passes the gradient through unchanged above its threshold.
extension VJPRules {
    static func mathRule(_ kind: OpKind) -> VJPRule {
        { b, operands, results, attrs, cotangents, wants, at in
            guard wants[0], let g = cotangents[0] else { return [nil] }
            let t = Terms(b: b, at: at)
            return [try t.derivative(kind, x: operands[0], y: results[0], g: g, attrs)]
        }
    }
}

/// Builder calls spelled short, for writing formulas.
private struct Terms {
    let b: Builder
    let at: SourceLocation

    func op(_ kind: OpKind, _ operands: ValueID...) throws -> ValueID { try b.apply1(kind, operands, at: at) }
    func c(_ value: Double) throws -> ValueID { try b.scalar(value, .float32, at: at) }
    func mul(_ x: ValueID, _ y: ValueID) throws -> ValueID { try op(.mul, x, y) }
    func div(_ x: ValueID, _ y: ValueID) throws -> ValueID { try op(.div, x, y) }
    func add(_ x: ValueID, _ y: ValueID) throws -> ValueID { try op(.add, x, y) }
    func sub(_ x: ValueID, _ y: ValueID) throws -> ValueID { try op(.sub, x, y) }

    /// `whereTrue` where the bool `condition` holds, else `otherwise`.
    func select(_ condition: ValueID, _ whereTrue: ValueID, _ otherwise: ValueID) throws -> ValueID {
        try op(.select, condition, whereTrue, otherwise)
    }

    /// dL/dx of y = kind(x) given g = dL/dy.
    func derivative(_ kind: OpKind, x: ValueID, y: ValueID, g: ValueID, _ attrs: Attributes) throws -> ValueID {
        let alpha = attrs.alpha
        switch kind {
        case .floor, .ceil, .round, .trunc:
            return try b.full(b.type(of: x).shape, 0, b.type(of: x).dtype, at: at)
        case .frac:
            return g
        case .log1p:   // g / (x + 1)
            return try div(g, try add(x, try c(1)))
        case .expm1:   // g (y + 1)
            return try mul(g, try add(y, try c(1)))
        case .log2:    // g / (x ln 2)
            return try div(g, try mul(x, try c(0.6931471805599453)))
        case .log10:   // g / (x ln 10)
            return try div(g, try mul(x, try c(2.3025850929940456)))
        case .exp2:    // g y ln 2
            return try mul(try mul(g, y), try c(0.6931471805599453))
        case .rsqrt:   // -0.5 g y³
            return try mul(try mul(try c(-0.5), g), try mul(try mul(y, y), y))
        case .reciprocal:   // -g y²
            return try mul(try op(.neg, g), try mul(y, y))
        case .square:  // g 2x
            return try mul(g, try mul(try c(2), x))
        case .tan:     // g (1 + y²)
            return try mul(g, try add(try c(1), try mul(y, y)))
        case .asin:    // g rsqrt(1 - x²)
            return try mul(g, try op(.rsqrt, try sub(try c(1), try mul(x, x))))
        case .acos:    // -g rsqrt(1 - x²)
            return try mul(g, try op(.neg, try op(.rsqrt, try sub(try c(1), try mul(x, x)))))
        case .atan:    // g / (x² + 1)
            return try div(g, try add(try mul(x, x), try c(1)))
        case .sinh:
            return try mul(g, try op(.cosh, x))
        case .cosh:
            return try mul(g, try op(.sinh, x))
        case .erf:     // 2/√π e^(-x²) g
            return try mul(try mul(try c(1.1283791670955126), try op(.exp, try op(.neg, try mul(x, x)))), g)
        case .softplus:   // z = e^x: g z / (z + 1), or g above the threshold 20
            let z = try op(.exp, x)
            let below = try div(try mul(g, z), try add(z, try c(1)))
            return try select(try op(.greater, x, try c(20)), g, below)
        case .silu:    // s = sigmoid(x): g s (1 + x (1 - s))
            let s = try div(try c(1), try add(try c(1), try op(.exp, try op(.neg, x))))
            return try mul(try mul(g, s), try add(try c(1), try mul(x, try sub(try c(1), s))))
        case .gelu:    // g (Φ(x) + x φ(x)), Φ(x) = (1 + erf(x / √2)) / 2, φ(x) = e^(-x²/2) / √(2π)
            let cdf = try mul(try c(0.5), try add(try c(1), try op(.erf, try mul(x, try c(0.7071067811865476)))))
            let pdf = try mul(try op(.exp, try mul(try mul(try c(-0.5), x), x)), try c(0.3989422804014327))
            return try mul(g, try add(cdf, try mul(x, pdf)))
        case .elu:     // g where x > 0, else g alpha e^x
            let negative = try mul(try mul(g, try c(alpha ?? 1)), try op(.exp, x))
            return try select(try op(.lessEqual, x, try c(0)), negative, g)
        case .leakyRelu:   // g where x > 0, else g slope
            return try select(try op(.greater, x, try c(0)), g, try mul(g, try c(alpha ?? 0.01)))
        case .clamp:   // g where low <= x <= high (ClampBackward1: the bounds inclusive, NaN gets 0)
            var inside: ValueID? = nil
            for (bound, comparison) in [(attrs.low, OpKind.greaterEqual), (attrs.high, .lessEqual)] {
                guard let bound else { continue }
                let test = try op(comparison, x, try b.scalar(bound, b.type(of: x).dtype, at: at))
                inside = try inside.map { try op(.logicalAnd, $0, test) } ?? test
            }
            return try select(inside!, g, try c(0))   // +0 outside, whatever g's sign (PyTorch's where)
        default:
            preconditionFailure("\(kind) is not one of chapter 2's math ops")
        }
    }
}
