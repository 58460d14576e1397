import TGCCore

/// Shapes and the tensors a unit starts from: random draws, literals, fills, aranges and
/// `.npy` files, each with the range of its elements.
extension UnitBuilder {
    static let dims = [1, 1, 2, 3, 3, 4, 5, 7]

    func randomShape(maxRank: Int = 3) -> [Int] {
        let rank = min(maxRank, rng.pick([0, 1, 1, 1, 2, 2, 2, 2, 3, 3]))
        var shape = (0..<rank).map { _ in rng.pick(Self.dims) }
        while shape.reduce(1, *) > Self.maximumElements / 2 { shape[shape.indices.max { shape[$0] < shape[$1] }!] = 1 }
        return shape
    }

    /// `[2, 3]` or, for some creation calls, `2, 3`.
    func shapeText(_ shape: [Int], variadicAllowed: Bool = false) -> String {
        let list = shape.map(String.init).joined(separator: ", ")
        return variadicAllowed && !shape.isEmpty && rng.chance(0.3) ? list : "[\(list)]"
    }

    /// A creation op with no operands and a fixed range.
    func creation(_ text: String, range: ValueRange) -> GenOp {
        GenOp(name: "leaf", style: .call, isTranscendental: false, spell: { _ in text }, range: { _ in range })
    }

    /// A fresh tensor of this shape and dtype, bound to a new name.
    @discardableResult
    func leaf(shape: [Int], dtype: DType, requiresGrad: Bool = false) -> GenValue {
        bind(leafExpr(shape: shape, dtype: dtype, requiresGrad: requiresGrad), stem: "x", mutable: requiresGrad, requiresGrad: requiresGrad)!
    }

    func leafExpr(shape: [Int], dtype: DType, requiresGrad: Bool = false) -> GenExpr {
        let type = TensorType(shape, dtype)
        let grad = requiresGrad ? ", requiresGrad: true" : ""
        switch dtype {
        case .float32:
            switch requiresGrad ? 0 : Int.random(in: 0..<10, using: &rng) {
            case 0...3: return .apply(creation("randn(\(shapeText(shape, variadicAllowed: true))\(grad))", range: ValueRange(-7, 7)), [], type)
            case 4...5: return .apply(creation("rand(\(shapeText(shape)))", range: ValueRange(0, 1)), [], type)
            case 6: return literalTensor(shape: shape, dtype: dtype)
            case 7:
                let value = rng.pick([0.5, -1.25, 2.0, 0.1])
                return .apply(creation("full(\(shapeText(shape)), \(value))", range: .point(value)), [], type)
            case 8:
                let one = rng.chance(0.5)
                return .apply(creation("\(one ? "ones" : "zeros")(\(shapeText(shape, variadicAllowed: true)))", range: .point(one ? 1 : 0)), [], type)
            default: return npyLeaf(shape: shape, dtype: dtype)
            }
        case .int64:
            switch Int.random(in: 0..<4, using: &rng) {
            case 0:
                let count = shape.reduce(1, *)
                let text = shape.count == 1 ? "arange(\(count))" : "arange(\(count)).reshape(\(shapeText(shape)))"
                return .apply(creation(text, range: ValueRange(0, Double(max(0, count - 1)))), [], type)
            case 1: return npyLeaf(shape: shape, dtype: dtype)
            default: return literalTensor(shape: shape, dtype: dtype)
            }
        case .bool, .float64, .int32, .uint8:
            return literalTensor(shape: shape, dtype: dtype)
        }
    }

    /// `tensor([[...]])` with random small numbers (or Bools) written out as literals.
    func literalTensor(shape: [Int], dtype: DType) -> GenExpr {
        let values: [Double] = (0..<shape.reduce(1, *)).map { _ in
            switch dtype {
            case .float32, .float64: Double(Int.random(in: -12...12, using: &rng)) / 4
            case .int64, .int32: Double(Int.random(in: -5...5, using: &rng))
            case .uint8: Double(Int.random(in: 0...9, using: &rng))
            case .bool: rng.chance(0.5) ? 1 : 0
            }
        }
        func nested(_ dims: ArraySlice<Int>, _ offset: Int) -> String {
            guard let first = dims.first else { return GenExpr.literal(values[offset], dtype) }
            let stride = dims.dropFirst().reduce(1, *)
            return "[" + (0..<first).map { nested(dims.dropFirst(), offset + $0 * stride) }.joined(separator: ", ") + "]"
        }
        let range = ValueRange(values.min() ?? 0, values.max() ?? 0)
        let dtypeArgument = dtype.isPrintedInRepr ? ", dtype: .\(dtype)" : ""
        return .apply(creation("tensor(\(nested(shape[...], 0))\(dtypeArgument))", range: range), [], TensorType(shape, dtype))
    }

    /// `load("prefix_dN.npy")`, with the data written beside the program.
    func npyLeaf(shape: [Int], dtype: DType) -> GenExpr {
        let name = freshName("d") + ".npy"
        let values: [Double] = (0..<shape.reduce(1, *)).map { _ in
            dtype == .float32 ? Double(Float(Double.random(in: -3...3, using: &rng))) : Double(Int.random(in: -9...9, using: &rng))
        }
        dataFiles.append((name, Tensor(type: TensorType(shape, dtype), elements: values)))
        let range = ValueRange(values.min() ?? 0, values.max() ?? 0)
        return .apply(creation("load(\"\(name)\")", range: range), [], TensorType(shape, dtype))
    }

    /// A value of exactly this shape and dtype: one in scope, or a new leaf.
    func operand(shape: [Int], dtype: DType) -> GenValue {
        let candidates = values { $0.type == TensorType(shape, dtype) }
        if !candidates.isEmpty && rng.chance(0.7) { return rng.pick(candidates) }
        return leaf(shape: shape, dtype: dtype)
    }

    /// A shape that broadcasts with `shape` (some dims set to 1 or dropped from the front, a
    /// size-1 dim of `shape` sometimes expanded).
    func broadcastPartner(of shape: [Int], expanding: Bool) -> [Int] {
        var partner = shape.map { dim -> Int in
            if dim == 1 && expanding && rng.chance(0.3) { return rng.pick([2, 3, 5]) }
            return rng.chance(0.25) ? 1 : dim
        }
        if rng.chance(0.3) { partner.removeFirst(Int.random(in: 0...partner.count, using: &rng)) }
        let result = Self.broadcast(shape, partner)
        return result.map { $0.reduce(1, *) } ?? .max <= Self.maximumElements ? partner : shape
    }

    /// NumPy broadcasting of two shapes, or nil when they do not broadcast.
    static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        let pa = Array(repeating: 1, count: rank - a.count) + a, pb = Array(repeating: 1, count: rank - b.count) + b
        var result: [Int] = []
        for (x, y) in zip(pa, pb) {
            guard x == y || x == 1 || y == 1 else { return nil }
            result.append(max(x, y))
        }
        return result
    }
}
