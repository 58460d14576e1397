import Foundation

/// A closed interval holding every element of a generated value. The generator propagates
/// ranges through each op (interval arithmetic) and applies an op only where its result stays
/// finite and moderate (|x| ≤ `limit`), its inputs inside its domain (log, sqrt and division
/// away from zero), so a mismatch means a compiler bug, not an overflow or a NaN.
struct ValueRange: Equatable, Sendable {
    var lo: Double
    var hi: Double

    /// Values beyond this magnitude are not produced (float32 keeps ~7 digits of them).
    static let limit = 1e4
    /// A value nothing is known about (gradients, trained parameters): only squashing ops take it.
    static let unknown = ValueRange(-.infinity, .infinity)

    init(_ lo: Double, _ hi: Double) {
        self.lo = lo
        self.hi = hi
    }

    static func point(_ value: Double) -> ValueRange { ValueRange(value, value) }

    var magnitude: Double { max(Swift.abs(lo), Swift.abs(hi)) }
    var isBounded: Bool { magnitude <= Self.limit }
    /// Every element is at least `margin` away from zero.
    func excludesZero(margin: Double) -> Bool { lo >= margin || hi <= -margin }

    func union(_ other: ValueRange) -> ValueRange { ValueRange(min(lo, other.lo), max(hi, other.hi)) }

    static func + (a: ValueRange, b: ValueRange) -> ValueRange { ValueRange(a.lo + b.lo, a.hi + b.hi) }
    static func - (a: ValueRange, b: ValueRange) -> ValueRange { ValueRange(a.lo - b.hi, a.hi - b.lo) }
    static prefix func - (a: ValueRange) -> ValueRange { ValueRange(-a.hi, -a.lo) }

    static func * (a: ValueRange, b: ValueRange) -> ValueRange {
        let corners = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi]
        return ValueRange(corners.min()!, corners.max()!)
    }

    /// The image under a non-decreasing function.
    func mapIncreasing(_ f: (Double) -> Double) -> ValueRange { ValueRange(f(lo), f(hi)) }

    /// |x| over the range.
    var absolute: ValueRange {
        if lo >= 0 { return self }
        if hi <= 0 { return -self }
        return ValueRange(0, magnitude)
    }

    /// The range scaled by a count (a sum of `count` elements of this range).
    func summed(_ count: Int) -> ValueRange { ValueRange(lo * Double(count), hi * Double(count)) }
}
