import CTGCRuntime

/// Formats a print statement through the C runtime, so every backend prints the same bytes.
public enum PrintFormatter {
    public static func format(_ segments: [PrintSegment], _ operands: [Tensor]) -> String {
        var buffer = tgc_str()
        tgc_str_init(&buffer)
        defer { tgc_str_free(&buffer) }
        for segment in segments {
            switch segment {
            case .text(let text):
                tgc_str_append(&buffer, text)
            case .tensor(let operand, let suffix):
                appendTensor(&buffer, operands[operand], suffix: suffix)
            case .tensorWithBranchSuffix(let operand, let condition, let ifTrue, let ifFalse):
                let taken = operands[condition].elements.first.map { $0 != 0 } ?? false
                appendTensor(&buffer, operands[operand], suffix: taken ? ifTrue : ifFalse)
            case .scalar(let operand, let precision):
                let storage = operands[operand].storage
                switch operands[operand].dtype {
                case .float32, .float64:
                    let value = storage.count > 0 ? storage.double(at: 0) : 0
                    if let precision { tgc_str_append_fixed(&buffer, value, Int32(precision)) }
                    else { tgc_str_append_float_repr(&buffer, value) }
                case .int64, .int32, .uint8: tgc_str_append_int(&buffer, storage.count > 0 ? storage.int64(at: 0) : 0)
                case .bool: tgc_str_append_bool(&buffer, storage.count > 0 && storage.int64(at: 0) != 0 ? 1 : 0)
                }
            case .list(let operand):
                let tensor = operands[operand]
                let shape = tensor.shape.map(Int64.init)
                tensor.withRuntimeBytes { data in
                    shape.withUnsafeBufferPointer { tgc_str_append_list(&buffer, data, tensor.dtype.runtimeCode, $0.baseAddress, Int32(shape.count)) }
                }
            case .choice(let operand, let options):
                let storage = operands[operand].storage
                let index = storage.count > 0 ? Int(storage.int64(at: 0)) : -1
                tgc_str_append(&buffer, options.indices.contains(index) ? options[index] : "")
            }
        }
        guard let data = buffer.data else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: buffer.len), as: UTF8.self)
    }

    private static func appendTensor(_ buffer: inout tgc_str, _ tensor: Tensor, suffix: String?) {
        let shape = tensor.shape.map(Int64.init)
        func append(_ pointer: UnsafeRawPointer?) {
            shape.withUnsafeBufferPointer { shapePointer in
                if let suffix {
                    tgc_str_append_tensor(&buffer, pointer, tensor.dtype.runtimeCode, shapePointer.baseAddress, Int32(shape.count), suffix)
                } else {
                    tgc_str_append_tensor(&buffer, pointer, tensor.dtype.runtimeCode, shapePointer.baseAddress, Int32(shape.count), nil)
                }
            }
        }
        tensor.withRuntimeBytes(append)
    }
}

extension PrintFormatter {
    /// Python's `repr` of a float (shortest round-trip digits), as the runtime prints it.
    public static func pythonRepr(_ value: Double) -> String {
        withBuffer { tgc_str_append_float_repr(&$0, value) }
    }

    /// Python's `f"{value:.{precision}f}"`.
    public static func fixed(_ value: Double, precision: Int) -> String {
        withBuffer { tgc_str_append_fixed(&$0, value, Int32(precision)) }
    }

    private static func withBuffer(_ fill: (inout tgc_str) -> Void) -> String {
        var buffer = tgc_str()
        tgc_str_init(&buffer)
        defer { tgc_str_free(&buffer) }
        fill(&buffer)
        guard let data = buffer.data else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: buffer.len), as: UTF8.self)
    }
}
