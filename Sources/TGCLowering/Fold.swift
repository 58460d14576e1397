/// How an accumulator folds the elements of its reduction nest, and what a renderer must keep
/// when it folds them in another order than the sequential one (vectorized, or in chunks whose
/// partial results are combined). The rules are data here, not knowledge of one printer: every
/// renderer switches over them exhaustively, so a new fold does not compile until each renderer
/// says how to reorder it, or that it cannot.
public enum Fold: Hashable, Sendable {
    /// `acc += element`, in double (float sums) or int64: parts may be summed apart and their
    /// results added. Reassociating a double sum of float32 elements changes the float32 result
    /// only far below its precision (documented tolerance: relative 1e-5).
    case sum
    /// `acc = max(acc, element)` (or min) with the NaN-propagating intrinsic: parts may be
    /// folded apart and their results folded in order with the same intrinsic.
    case extreme(ExtremeFold)
    /// Anything else (arg-max and arg-min, products, the running sum of a cumsum): strictly in
    /// order, never reordered.
    case ordered

    /// How the partial results of two consecutive runs of elements combine.
    public var combiner: Combiner {
        switch self {
        case .sum: .add
        case .extreme(let extreme): .apply(extreme.intrinsic)
        case .ordered: .inOrderOnly
        }
    }
}

/// How the partial results of consecutive runs of a fold's elements combine into the result of
/// all of them, the earlier run's result first: the combination of a fixed-chunk reduction's
/// partials, which are combined in chunk order so the result does not depend on the threads.
public enum Combiner: Hashable, Sendable {
    /// `acc += part`.
    case add
    /// `acc = f(acc, part)`.
    case apply(Intrinsic)
    /// The fold cannot be split: it must see every element, in order.
    case inOrderOnly
}

/// A max or min fold, with the two cases where an IEEE fold's order shows in its result.
public struct ExtremeFold: Hashable, Sendable {
    public var isMax: Bool
    /// The type of the accumulator and of its elements.
    public var type: ScalarType
    public var nan: NaNRule
    public var zeroSign: ZeroSignRule

    /// The fold of `type`, with the rules of the `maximum`/`minimum` intrinsics: NaN propagates
    /// and a tie goes to the later element in float types; integers and bools have neither.
    public init(isMax: Bool, type: ScalarType) {
        self.isMax = isMax
        self.type = type
        self.nan = type.isFloatingPoint ? .propagates : .noNaN
        self.zeroSign = type.isFloatingPoint ? .laterTieWins : .noSignedZero
    }

    /// The intrinsic that folds one element into the accumulator (and combines two partials).
    public var intrinsic: Intrinsic { isMax ? .maximum(type) : .minimum(type) }
}

/// What a NaN element does to an extreme fold.
public enum NaNRule: Hashable, Sendable {
    /// Any NaN element makes the result NaN. A reordered fold built on `>` or `<` (a vector
    /// max) drops NaNs, so it must note them apart and give NaN when it saw one.
    case propagates
    /// The type has no NaN.
    case noNaN
}

/// What decides the sign of a zero result of an extreme fold.
public enum ZeroSignRule: Hashable, Sendable {
    /// +0 and -0 compare equal and the later element wins a tie, so the sign of a zero result
    /// depends on the order: a reordered fold must recompute a zero result in order.
    case laterTieWins
    /// The type has no signed zero: any order gives the same result.
    case noSignedZero
}
