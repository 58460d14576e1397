import Foundation
import TGCCore

/// Expressions that change shapes: reshape and view (with an inferred -1), flatten,
/// unsqueeze, squeeze, transpose, `.T`, `.t()`, flip, roll, subscripts (`[1..<3]`, `[..., 0]`,
/// `[-1]`), reductions over each axis and matmul.
extension UnitBuilder {
    func movement(_ base: GenExpr) -> GenExpr? {
        let shape = base.type.shape
        let rank = shape.count
        let (name, suffix, result): (String, String, [Int])
        switch Int.random(in: 0..<10, using: &rng) {
        case 0:
            let target = factorization(of: shape.reduce(1, *))
            var dims = target.map(String.init)
            if !dims.isEmpty && rng.chance(0.3) { dims[Int.random(in: 0..<dims.count, using: &rng)] = "-1" }
            let method = rng.pick(["reshape", "view"])
            let list = dims.joined(separator: ", ")
            (name, suffix, result) = (method, dims.count > 0 && rng.chance(0.3) ? ".\(method)(\(list))" : ".\(method)([\(list)])", target)
        case 1: (name, suffix, result) = ("flatten", ".flatten()", [shape.reduce(1, *)])
        case 2:
            let dim = Int.random(in: -(rank + 1)...rank, using: &rng)
            var target = shape
            target.insert(1, at: dim < 0 ? dim + rank + 1 : dim)
            (name, suffix, result) = ("unsqueeze", ".unsqueeze(\(dim))", target)
        case 3 where rank > 0:
            let dim = Int.random(in: -rank..<rank, using: &rng)
            var target = shape
            if target[(dim + rank) % rank] == 1 { target.remove(at: (dim + rank) % rank) }
            (name, suffix, result) = ("squeeze", ".squeeze(\(dim))", target)
        case 3: (name, suffix, result) = ("squeeze", ".squeeze()", shape.filter { $0 != 1 })
        case 4 where rank >= 2:
            let (a, b) = (Int.random(in: 0..<rank, using: &rng), Int.random(in: -rank..<rank, using: &rng))
            var target = shape
            target.swapAt(a, (b + rank) % rank)
            (name, suffix, result) = ("transpose", ".transpose(\(a), \(b))", target)
        case 5 where rank <= 2: (name, suffix, result) = ("t", ".t()", shape.reversed())
        case 6 where rank > 0:
            let dims = (-rank..<rank).filter { _ in rng.chance(0.4) }.prefix(1) + [Int.random(in: 0..<rank, using: &rng)]
            let unique = dims.reduce(into: [Int]()) { list, dim in
                if !list.contains(where: { ($0 + rank) % rank == (dim + rank) % rank }) { list.append(dim) }
            }
            (name, suffix, result) = ("flip", ".flip(dims: [\(unique.map(String.init).joined(separator: ", "))])", shape)
        case 7 where rank > 0:
            let (shift, dim) = (Int.random(in: -5...5, using: &rng), Int.random(in: -rank..<rank, using: &rng))
            (name, suffix, result) = ("roll", rng.chance(0.3) ? ".roll(\(shift))" : ".roll(\(shift), dim: \(dim))", shape)
        case 8 where rank > 0 && shape[rank - 1] > 0:
            let extent = shape[rank - 1]
            let lower = Int.random(in: 0..<extent, using: &rng)
            let upper = Int.random(in: (lower + 1)...extent, using: &rng)   // never empty: reductions of it must have an identity
            var target = shape
            if rng.chance(0.3) {
                target.removeLast()
                (name, suffix, result) = ("select", "[..., \(lower - extent)]", target)
            } else {
                target[rank - 1] = upper - lower
                let range = upper == extent ? "\(lower)..." : rng.chance(0.5) ? "\(lower)...\(upper - 1)" : "\(lower)..<\(upper)"
                (name, suffix, result) = ("slice", rank > 1 ? "[..., \(range)]" : "[\(range)]", target)
            }
        default: (name, suffix, result) = ("T", ".T", shape.reversed())
        }
        return .apply(OpCatalog.movement(name, suffix), [base], TensorType(result, base.type.dtype))
    }

    /// A random shape with `count` elements (rank 1 to 3).
    func factorization(of count: Int) -> [Int] {
        var dims: [Int] = []
        var rest = count
        for _ in 0..<Int.random(in: 0...2, using: &rng) {
            let divisors = (1...max(1, rest)).filter { rest % $0 == 0 }
            let d = rng.pick(divisors)
            dims.append(d)
            rest /= d
        }
        dims.append(rest)
        return dims.shuffled(using: &rng)
    }

    func reduction(_ base: GenExpr) -> GenExpr? {
        let type = base.type
        let kinds = switch type.dtype {
        case .float32: ["sum", "mean", "std", "max", "min", "argmax", "argmin", "prod", "norm", "cumsum"]
        case .float64: ["sum", "mean", "std", "max", "min", "argmax", "argmin"]
        case .int64: ["sum", "max", "min", "argmax", "argmin", "prod", "cumsum"]
        case .int32, .uint8: ["sum", "max", "min", "argmax", "argmin"]
        case .bool: ["sum", "prod", "cumsum"]
        }
        let kind = rng.pick(kinds)
        let rank = type.rank
        var axes: [Int]? = nil
        var dimText = ""
        if rank > 0 && (kind == "cumsum" || rng.chance(0.7)) && !(["max", "min"].contains(kind)) {
            let several = ["sum", "mean", "std", "norm"].contains(kind) && rank >= 2 && rng.chance(0.3)
            let picked = several ? Array((0..<rank).shuffled(using: &rng).prefix(2)) : [Int.random(in: 0..<rank, using: &rng)]
            let spelled = picked.map { rng.chance(0.3) ? $0 - rank : $0 }
            axes = picked.sorted()
            dimText = several ? "dim: [\(spelled.map(String.init).joined(separator: ", "))]" : "dim: \(spelled[0])"
        } else if kind == "cumsum" {
            return nil   // a 0-dim tensor: nothing to run along
        }
        let keepDim = axes != nil && kind != "cumsum" && rng.chance(0.4)
        // norm: p 2 (the default), 1 or infinity.
        let p = kind == "norm" ? rng.pick(["", "p: 1", "p: .infinity"]) : ""
        let arguments = [p, dimText + (keepDim ? ", keepDim: true" : "")].filter { !$0.isEmpty }.joined(separator: ", ")
        let reduced = (axes ?? Array(0..<rank)).reduce(1) { $0 * type.shape[$1] }
        if kind == "std" && reduced < 2 { return nil }
        var shape: [Int] = []
        if kind == "cumsum" {
            shape = type.shape
        } else if let axes {
            shape = type.shape.enumerated().compactMap { axes.contains($0.offset) ? (keepDim ? 1 : nil) : $0.element }
        }
        let dtype: DType = kind.hasPrefix("arg") ? .int64
            : (["sum", "prod", "cumsum"].contains(kind) && type.dtype == .bool ? .int64 : type.dtype)
        let template = rng.chance(0.2) && (arguments.isEmpty || kind == "cumsum") && ["sum", "mean", "max", "min", "prod", "cumsum"].contains(kind)
            ? "\(kind)($0\(arguments.isEmpty ? "" : ", " + arguments))" : "$0.\(kind)(\(arguments))"
        let op = GenOp(name: kind, style: .call, isTranscendental: kind == "std" || (kind == "norm" && p.isEmpty),
                       spell: { template.replacingOccurrences(of: "$0", with: $0[0]) },
                       range: { r in
                           switch kind {
                           case "sum": r[0].summed(reduced)
                           case "cumsum": r[0].union(r[0].summed(reduced))
                           case "mean", "max", "min": r[0]
                           case "std": ValueRange(0, r[0].hi - r[0].lo)
                           case "norm": ValueRange(0, max(abs(r[0].lo), abs(r[0].hi)) * Double(reduced))
                           case "prod":   // at most the largest magnitude (or 1) to the number of factors
                               { bound in bound <= 1e4 ? ValueRange(-bound, bound) : nil }(pow(max(abs(r[0].lo), abs(r[0].hi), 1), Double(reduced)))
                           default: ValueRange(0, Double(reduced - 1))
                           }
                       })
        return .apply(op, [base], TensorType(shape, dtype))
    }

    /// `matmul(a, b)` / `a.matmul(b)` / `dot(u, v)` on 1-D and 2-D float operands, and on
    /// batches: a base of 3 or more dims times a vector, a matrix or a batch whose dims
    /// broadcast against the base's (some of them 1).
    func matmul(_ base: GenExpr) -> GenExpr? {
        let shape = base.type.shape
        guard !shape.isEmpty else { return nil }
        let inner = shape.last!
        var otherShape = rng.chance(0.3) ? [inner] : [inner, rng.pick(Self.dims)]
        if shape.count >= 3 && otherShape.count == 2 && rng.chance(0.5) {
            otherShape = shape.dropLast(2).map { rng.chance(0.3) ? 1 : $0 } + otherShape
        }
        let other = operand(shape: otherShape, dtype: .float32).expr
        guard let result = try? ShapeRules.matmul(shape, otherShape) else { return nil }
        let vectors = shape.count == 1 && otherShape.count == 1
        let template = vectors && rng.chance(0.5) ? "dot($0, $1)" : rng.pick(["matmul($0, $1)", "$0.matmul($1)"])
        let op = GenOp(name: "matmul", style: .call, isTranscendental: false,
                       spell: { template.replacingOccurrences(of: "$0", with: $0[0]).replacingOccurrences(of: "$1", with: $0[1]) },
                       range: { r in
                           guard r[0].isBounded, r[1].isBounded else { return nil }
                           let bound = Double(inner) * r[0].magnitude * r[1].magnitude
                           return ValueRange(-bound, bound)
                       })
        return .apply(op, [base, other], TensorType(result, .float32))
    }
}
