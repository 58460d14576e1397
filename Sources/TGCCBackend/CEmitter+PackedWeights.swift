import TGCCore
import TGCLowering

/// A library weight prepared once per context instead of on every call: a matrix product
/// operand packed into the panels `tgc_sgemm` reads (`tgc_sgemm_pack_a`/`_b`), or a forward
/// convolution's weights in the form its kernel multiplies (`tgc_conv2d_pack_f32`: Winograd's
/// transformed weights). The weights only change when a context is made (`_create`,
/// `_create_from`), and each context prepares the weights it holds. A program that trains
/// changes its weights every step and prepares them per call as before.
struct PackedWeight: Equatable {
    enum Layout: Equatable {
        /// op(B) (`tgc_sgemm_pack_b`) when `isB`, else op(A); op(A) is `rows` x `depth`, op(B)
        /// is `depth` x `rows`.
        case product(isB: Bool, transposed: Bool, rows: Int, depth: Int, leadingDimension: Int)
        /// The weights of a float32 forward convolution of this geometry (`tgc_conv2d_shape`'s fields).
        case convolution(shape: [Int])
    }

    /// The weight's context slot (`tgc_weights[slot]`).
    var slot: Int
    var layout: Layout

    /// `tgc_sgemm_pack_b(1, 3136, 128, (const float *)tgc_weights[12], 3136)`.
    var packCall: String {
        let weight = "(const float *)tgc_weights[\(slot)]"
        switch layout {
        case .product(let isB, let transposed, let rows, let depth, let leadingDimension):
            let sizes = isB ? "\(depth), \(rows)" : "\(rows), \(depth)"
            return "tgc_sgemm_pack_\(isB ? "b" : "a")(\(transposed ? 1 : 0), \(sizes), \(weight), \(leadingDimension))"
        case .convolution(let shape):
            return "tgc_conv2d_pack_f32(&(const tgc_conv2d_shape){\(shape.map(String.init).joined(separator: ", "))}, \(weight))"
        }
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
        let a = weightSlot(call.a).map {
            PackedWeight(slot: $0, layout: .product(isB: false, transposed: call.transposeA, rows: call.m, depth: call.k, leadingDimension: call.lda))
        }
        let b = weightSlot(call.b).map {
            PackedWeight(slot: $0, layout: .product(isB: true, transposed: call.transposeB, rows: call.n, depth: call.k, leadingDimension: call.ldb))
        }
        guard a != nil || b != nil else { return nil }
        func spelled(_ packed: PackedWeight?) -> String {
            packed.map { "(const tgc_sgemm_packed *)tgc_packed[\(packedIndex($0))]" } ?? "NULL"
        }
        return (spelled(a), spelled(b))
    }

    /// The prepared weights of a float32 forward convolution in a library function whose weights
    /// (operand 1) are a library weight: `(const tgc_conv2d_packed *)tgc_packed[i]`; nil otherwise.
    mutating func packedConvolutionWeights(_ call: ConvolutionCall, _ op: Op) -> String? {
        guard libraryResult != nil, call.kind == .conv2d, call.dtype == .float32, let slot = weightSlot(op.operands[1]) else { return nil }
        return "(const tgc_conv2d_packed *)tgc_packed[\(packedIndex(PackedWeight(slot: slot, layout: .convolution(shape: call.shape.fields))))]"
    }

    /// `void NAME(const void *const *tgc_weights, void **tgc_packed)`: prepares the weights that
    /// the function's products and convolutions read (`packedOperands`,
    /// `packedConvolutionWeights`) into the context's slots.
    func packFunction(_ symbol: String) -> String {
        var text = CSourceWriter()
        text.line("/* Prepares the weights this function's matrix products and convolutions read, once per context (its weights fixed). */")
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
