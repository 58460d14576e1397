import CTGCRuntime

/// The elements of a tensor in the C runtime's layout (float, double, int64_t, int32_t, uint8_t;
/// bool as one byte, 0 or 1), which is `TensorStorage`'s: how printing and .npy I/O hand
/// tensors to the runtime.
extension Tensor {
    /// Calls `body` with the elements' bytes.
    func withRuntimeBytes<R>(_ body: (UnsafeRawPointer?) throws -> R) rethrows -> R {
        switch storage {
        case .float32(let v): try v.withUnsafeBytes { try body($0.baseAddress) }
        case .float64(let v): try v.withUnsafeBytes { try body($0.baseAddress) }
        case .int64(let v): try v.withUnsafeBytes { try body($0.baseAddress) }
        case .int32(let v): try v.withUnsafeBytes { try body($0.baseAddress) }
        case .uint8(let v): try v.withUnsafeBytes { try body($0.baseAddress) }
        case .bool(let v): try v.withUnsafeBytes { try body($0.baseAddress) }
        }
    }

    /// A tensor of `type` whose elements `fill` writes in the runtime's layout.
    init(type: TensorType, fillingRuntimeBytes fill: (UnsafeMutableRawPointer) -> Void) {
        func filled<T: Numeric>(_: T.Type) -> [T] {
            var values = [T](repeating: 0, count: max(type.elementCount, 1))   // room for an address
            values.withUnsafeMutableBytes { fill($0.baseAddress!) }
            return Array(values.prefix(type.elementCount))
        }
        let storage: TensorStorage = switch type.dtype {
        case .float32: .float32(filled(Float.self))
        case .float64: .float64(filled(Double.self))
        case .int64: .int64(filled(Int64.self))
        case .int32: .int32(filled(Int32.self))
        case .uint8: .uint8(filled(UInt8.self))
        case .bool: .bool(filled(UInt8.self).map { $0 != 0 })
        }
        self.init(type: type, storage: storage)
    }
}

extension DType {
    /// The runtime's tgc_dtype code.
    var runtimeCode: tgc_dtype {
        switch self {
        case .float32: TGC_F32
        case .float64: TGC_F64
        case .int64: TGC_I64
        case .int32: TGC_I32
        case .uint8: TGC_U8
        case .bool: TGC_BOOL
        }
    }

    init(runtimeCode: tgc_dtype) {
        self = DType.allCases.first { $0.runtimeCode == runtimeCode } ?? .float32
    }
}
