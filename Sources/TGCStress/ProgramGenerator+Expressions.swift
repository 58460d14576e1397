import TGCCore

/// Random expressions: elementwise math, broadcasting arithmetic, comparisons and `where`,
/// casts, reshapes and transposes, reductions over each axis, matmul. Each is checked against
/// the ranges of its operands, and nil is returned when no safe choice was found.
extension UnitBuilder {
    /// An expression of up to `depth` nested ops over values in scope.
    func expression(depth: Int) -> GenExpr? {
        for _ in 0..<8 {
            let base: GenExpr
            if depth > 0, rng.chance(0.5), let nested = expression(depth: depth - 1) {
                base = nested
            } else if let value = values().randomElement(using: &rng) {
                base = value.expr
            } else {
                return nil
            }
            if let result = step(base), let range = range(of: result), range.isBounded { return result }
        }
        return nil
    }

    /// One op applied to `base` (with other operands as needed).
    func step(_ base: GenExpr) -> GenExpr? {
        let type = base.type
        switch (type.dtype, Int.random(in: 0..<100, using: &rng)) {
        case (let dtype, 0..<28) where dtype.isFloatingPoint: return floatUnary(base)
        case (_, 0..<50): return binary(base, into: false)
        case (.float32, 50..<54): return .apply(OpCatalog.power(rng.pick([2, 3, 0.5, 1.5]), choice: choiceIndex()), [base], type)
        case (_, 54..<62): return compareOrLogical(base)
        case (_, 62..<66): return select(base)
        case (_, 66..<70): return cast(base)
        case (.float32, 73..<77): return windowed(base)
        case (_, 70..<77): return movement(base)
        case (.float32, 79): return loss(base)
        case (_, 77..<80): return selecting(base)
        case (_, 80..<93): return reduction(base)
        default: return type.dtype == .float32 ? matmul(base) : cast(base)
        }
    }

    func choiceIndex() -> Int { Int.random(in: 0..<6, using: &rng) }

    func floatUnary(_ base: GenExpr) -> GenExpr? {
        let names = range(of: base)?.isBounded == true ? OpCatalog.floatUnaryNames : OpCatalog.squashingNames
        let name = rng.pick(names)
        let operand = ["log", "sqrt", "log2", "log10", "rsqrt", "reciprocal"].contains(name) ? positive(base) : base
        guard let op = OpCatalog.floatUnary(name, choice: choiceIndex()) else { return nil }
        return .apply(op, [operand], base.type)
    }

    /// `expr` itself when it is ≥ 0.05, else `abs(expr) + 0.5`: an operand for log, sqrt, `/`.
    func positive(_ expr: GenExpr) -> GenExpr {
        if let range = range(of: expr), range.lo >= 0.05 { return expr }
        let absolute = GenExpr.apply(OpCatalog.floatUnary("abs", choice: choiceIndex())!, [expr], expr.type)
        let isInteger = expr.type.dtype.isInteger
        return .apply(OpCatalog.binary("add", choice: choiceIndex()), [absolute, .number(isInteger ? 1 : 0.5, TensorType([], isInteger ? .int64 : .float32))], expr.type)
    }

    /// `base OP partner` with broadcasting; with `into`, the result keeps `base`'s shape.
    func binary(_ base: GenExpr, into: Bool) -> GenExpr? {
        let dtype = base.type.dtype
        guard dtype != .bool else { return compareOrLogical(base) }
        var names = OpCatalog.binaryNames
        if dtype.isInteger { names.removeAll { $0 == "pow" || $0 == "atan2" } }   // atan2: a float result
        let name = rng.pick(names)
        var partner: GenExpr
        if rng.chance(0.3) {
            let value: Double = switch name {
            case "div", "mod": rng.pick([2, 3, 0.5, 1.5])
            case "pow": rng.pick([0.5, 2, -1])
            default: rng.pick([0.5, 2, -1, 3, 0.25, -1.5])
            }
            let isInt = value == value.rounded() && (dtype.isInteger || rng.chance(0.5))
            partner = .number(value, TensorType([], isInt ? .int64 : .float32))
        } else {
            let shape = broadcastPartner(of: base.type.shape, expanding: !into)
            partner = operand(shape: into ? Self.intoShape(shape, base.type.shape) : shape, dtype: rng.chance(0.85) ? dtype : (dtype == .float32 ? .int64 : .float32)).expr
        }
        let flip = !into && rng.chance(0.25) && name != "pow" && name != "mod"
        if name == "div", let range = range(of: partner), !range.excludesZero(margin: 0.1) { partner = positive(partner) }
        let operands = flip ? [partner, base] : [base, partner]
        guard let shape = Self.broadcast(operands[0].type.shape, operands[1].type.shape) else { return nil }
        let resultDtype = Self.promote(operands[0].type, operands[1].type, isLiteral: operands.map(\.isNumber),
                                       division: name == "div")
        return .apply(OpCatalog.binary(name, choice: choiceIndex(), literalFirst: flip && partner.isNumber),
                      operands, TensorType(shape, resultDtype))
    }

    /// `shape` with every dim that would expand `target` set to 1.
    static func intoShape(_ shape: [Int], _ target: [Int]) -> [Int] {
        let offset = target.count - shape.count
        return shape.enumerated().map { offset + $0.offset >= 0 && target[offset + $0.offset] == $0.element ? $0.element : 1 }
    }

    /// PyTorch's promotion (`DType.resultType`): number literals count as numbers, tensors as
    /// dimensioned or 0-dim; `/` gives the float of that.
    static func promote(_ a: TensorType, _ b: TensorType, isLiteral: [Bool], division: Bool) -> DType {
        let tensors = zip([a, b], isLiteral).filter { !$0.1 }.map(\.0)
        let dtype = DType.resultType(dimensioned: tensors.filter { $0.rank > 0 }.map(\.dtype),
                                     zeroDim: tensors.filter { $0.rank == 0 }.map(\.dtype),
                                     numbers: zip([a, b], isLiteral).filter { $0.1 }.map(\.0.dtype))
        return division ? dtype.floatResult : dtype
    }

    func compareOrLogical(_ base: GenExpr) -> GenExpr? {
        if base.type.dtype == .bool {
            if rng.chance(0.3) { return .apply(OpCatalog.not, [base], base.type) }
            let other = operand(shape: broadcastPartner(of: base.type.shape, expanding: false), dtype: .bool).expr
            guard let shape = Self.broadcast(base.type.shape, other.type.shape) else { return nil }
            return .apply(OpCatalog.logical(choice: choiceIndex()), [base, other], TensorType(shape, .bool))
        }
        let other: GenExpr = rng.chance(0.5)
            ? .number(rng.pick([0, 0.5, -1, 2]), TensorType([], base.type.dtype.isInteger ? .int64 : .float32))
            : operand(shape: broadcastPartner(of: base.type.shape, expanding: true), dtype: base.type.dtype).expr
        guard let shape = Self.broadcast(base.type.shape, other.type.shape) else { return nil }
        return .apply(OpCatalog.comparison(choice: choiceIndex()), [base, other], TensorType(shape, .bool))
    }

    /// `where(condition, base, other)`.
    func select(_ base: GenExpr) -> GenExpr? {
        guard base.type.dtype != .bool else { return compareOrLogical(base) }
        let conditionSource = operand(shape: broadcastPartner(of: base.type.shape, expanding: false), dtype: .float32).expr
        let condition = GenExpr.apply(OpCatalog.comparison(choice: choiceIndex()), [conditionSource, .number(0, TensorType([], .float32))],
                                      TensorType(conditionSource.type.shape, .bool))
        let other = operand(shape: broadcastPartner(of: base.type.shape, expanding: false), dtype: base.type.dtype).expr
        guard let shape = Self.broadcast(base.type.shape, other.type.shape).flatMap({ Self.broadcast($0, condition.type.shape) }) else { return nil }
        return .apply(OpCatalog.select, [condition, base, other], TensorType(shape, base.type.dtype))
    }

    func cast(_ base: GenExpr) -> GenExpr? {
        let (method, dtype): (String, DType) = switch base.type.dtype {
        case .float32: rng.pick([("long()", .int64), ("to(.int64)", .int64), ("double()", .float64), ("int()", .int32)])
        case .int64: rng.pick([("float()", .float32), ("to(.float32)", .float32), ("byte()", .uint8), ("int()", .int32)])
        case .bool: rng.pick([("float()", .float32), ("long()", .int64)])
        case .float64: rng.pick([("float()", .float32), ("long()", .int64)])
        case .int32, .uint8: rng.pick([("float()", .float32), ("long()", .int64), ("double()", .float64)])
        }
        return .apply(OpCatalog.cast(to: method), [base], TensorType(base.type.shape, dtype))
    }
}
