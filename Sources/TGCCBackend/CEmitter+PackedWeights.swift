import TGCCore
import TGCLowering

/// A matrix product operand that is one of a library's weights, packed once per context into
/// the panels `tgc_sgemm` reads (`tgc_sgemm_pack_a`/`_b`) instead of on every call: the
/// weights only change when a context is made (`_create`, `_create_from`), and each context
/// packs the weights it holds. A program that trains changes its weights every step and
/// packs them per call as before.
struct PackedWeight: Equatable {
    /// The weight's context slot (`tgc_weights[slot]`).
    var slot: Int
    /// op(B) (`tgc_sgemm_pack_b`), else op(A).
    var isB: Bool
    var transposed: Bool
    /// op(A) is `rows` x `depth`, op(B) is `depth` x `rows`.
    var rows: Int
    var depth: Int
    var leadingDimension: Int

    /// `tgc_sgemm_pack_b(1, 3136, 128, (const float *)tgc_weights[12], 3136)`.
    var packCall: String {
        let sizes = isB ? "\(depth), \(rows)" : "\(rows), \(depth)"
        return "tgc_sgemm_pack_\(isB ? "b" : "a")(\(transposed ? 1 : 0), \(sizes), (const float *)tgc_weights[\(slot)], \(leadingDimension))"
    }
}

extension CProgramEmitter {
    /// The context slot of the library weight that `value` is stored in, if any.
    private func weightSlot(_ value: Value) -> Int? {
        guard case .input(let index) = plan.storage[plan.root(value)] else { return nil }
        return libraryWeightSlots[plan.inputs[index].name]
    }

    /// The index in the context's packed operands of `packed`, added when new.
    private mutating func packedIndex(_ packed: PackedWeight) -> Int {
        if let index = packedWeights.firstIndex(of: packed) { return packedBase + index }
        packedWeights.append(packed)
        return packedBase + packedWeights.count - 1
    }

    /// The packed operands of a one-matrix product in a library function whose A or B is a
    /// weight: `(const tgc_sgemm_packed *)tgc_packed[i]` or `NULL` for each; nil when neither is.
    mutating func packedOperands(_ call: GemmCall) -> (a: String, b: String)? {
        guard libraryResult != nil, call.batch.extents.isEmpty else { return nil }
        let a = weightSlot(call.a).map { PackedWeight(slot: $0, isB: false, transposed: call.transposeA, rows: call.m, depth: call.k, leadingDimension: call.lda) }
        let b = weightSlot(call.b).map { PackedWeight(slot: $0, isB: true, transposed: call.transposeB, rows: call.n, depth: call.k, leadingDimension: call.ldb) }
        guard a != nil || b != nil else { return nil }
        func spelled(_ packed: PackedWeight?) -> String {
            packed.map { "(const tgc_sgemm_packed *)tgc_packed[\(packedIndex($0))]" } ?? "NULL"
        }
        return (spelled(a), spelled(b))
    }

    /// `void NAME(const void *const *tgc_weights, void **tgc_packed)`: packs the weights that
    /// the function's products read (`packedOperands`) into the context's slots.
    func packFunction(_ symbol: String) -> String {
        var text = CSourceWriter()
        text.line("/* Packs the weights this function's matrix products read, once per context (its weights fixed). */")
        text.open("__attribute__((visibility(\"hidden\"))) void \(symbol)(const void *const *tgc_weights, void **tgc_packed)")
        if packedWeights.isEmpty {
            text.line("(void)tgc_weights;")
            text.line("(void)tgc_packed;")
        }
        for (index, packed) in packedWeights.enumerated() {
            text.line("tgc_packed[\(packedBase + index)] = \(packed.packCall);")
        }
        text.close()
        return text.text
    }
}
