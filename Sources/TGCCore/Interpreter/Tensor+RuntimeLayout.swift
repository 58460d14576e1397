import CTGCRuntime

/// The elements of a tensor in the C runtime's layout (float, double, int64_t, int32_t, uint8_t;
/// bool as one byte, 0 or 1): how printing and .npy I/O hand tensors to the runtime.
extension Tensor {
    /// Calls `body` with the elements stored as the runtime stores this tensor's dtype.
    func withRuntimeBytes<R>(_ body: (UnsafeRawPointer?) throws -> R) rethrows -> R {
        switch dtype {
        case .float32: try elements.map(Float.init).withUnsafeBytes { try body($0.baseAddress) }
        case .float64: try elements.withUnsafeBytes { try body($0.baseAddress) }
        case .int64: try elements.map { Int64(element: $0) }.withUnsafeBytes { try body($0.baseAddress) }
        case .int32: try elements.map { Int32(truncatingIfNeeded: Int64(element: $0)) }.withUnsafeBytes { try body($0.baseAddress) }
        case .uint8: try elements.map { UInt8(truncatingIfNeeded: Int64(element: $0)) }.withUnsafeBytes { try body($0.baseAddress) }
        case .bool: try elements.map { UInt8($0 != 0 ? 1 : 0) }.withUnsafeBytes { try body($0.baseAddress) }
        }
    }

    /// A tensor of `type` whose elements `fill` writes in the runtime's layout.
    init(type: TensorType, fillingRuntimeBytes fill: (UnsafeMutableRawPointer) throws -> Void) rethrows {
        let count = type.elementCount
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count * type.dtype.byteSize, 1), alignment: 8)
        defer { raw.deallocate() }
        try fill(raw.baseAddress!)
        func read<T>(_: T.Type, _ convert: (T) -> Double) -> [Double] {
            Array(raw.bindMemory(to: T.self).prefix(count)).map(convert)
        }
        let elements: [Double] = switch type.dtype {
        case .float32: read(Float.self) { Double($0) }
        case .float64: read(Double.self) { $0 }
        case .int64: read(Int64.self) { Double($0) }
        case .int32: read(Int32.self) { Double($0) }
        case .uint8, .bool: read(UInt8.self) { Double($0) }
        }
        self.init(type: type, elements: elements)
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
