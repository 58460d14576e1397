/// Joins: slice updates that fusion treats as index maps of two operands, so a concatenation
/// (`cat`, built as slice updates into zeros: `Builder.concatenate`) costs no pass of its own.
/// In a fused kernel each element of a join reads its value operand where the element lies in
/// the updated box, else its base at the same coordinates (a guarded load whose fill is the
/// base: GroupLowering). A chain of joins over a splat constant is one kernel that reads each
/// operand of the concatenation in place and writes each element once.
extension Op {
    /// A slice update whose box has unit steps, so the value's coordinates are the result's
    /// shifted by the box's start (an affine read). Other steps stay a kernel of their own.
    public var isFusableJoin: Bool {
        guard kind == .sliceUpdate, results.count == 1, operands.count == 2,
              operands[0].type.dtype == operands[1].type.dtype, let dims = attributes.slice,
              dims.count == result.type.rank else { return false }
        return dims.allSatisfy { $0.step == 1 }
    }
}
