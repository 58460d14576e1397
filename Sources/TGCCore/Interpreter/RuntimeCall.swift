import CTGCRuntime
import TGCBase

/// Calls into the C runtime's fallible functions (files, summaries), which return a nonzero status
/// and write a NUL-terminated message into the caller's buffer when they fail.
enum RuntimeCall {
    /// Runs `call` with an error buffer; a nonzero status throws the message it wrote.
    static func check(_ call: (_ error: UnsafeMutablePointer<CChar>, _ errorLength: Int) -> Int32) throws {
        var error = [CChar](repeating: 0, count: 512)
        let status = error.withUnsafeMutableBufferPointer { call($0.baseAddress!, $0.count) }
        guard status == 0 else {
            throw ToolError(String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
    }

    /// A tensor of `type` that `read` fills: given the tensor's bytes, its shape and an error buffer.
    static func readTensor(
        _ type: TensorType,
        _ read: (_ bytes: UnsafeMutableRawPointer, _ shape: [Int64], _ error: UnsafeMutablePointer<CChar>, _ errorLength: Int) -> Int32
    ) throws -> Tensor {
        var failure: Error?
        let tensor = Tensor(type: type) { bytes in
            do { try check { read(bytes, type.shape.map(Int64.init), $0, $1) } } catch { failure = error }
        }
        if let failure { throw failure }
        return tensor
    }

    /// The type a file header gives: `dtype` and the first `ndim` entries of its fixed-size `shape` tuple.
    static func headerType<Shape>(dtype: tgc_dtype, ndim: Int32, shape: Shape) -> TensorType {
        let dims = withUnsafeBytes(of: shape) { Array($0.bindMemory(to: Int64.self).prefix(Int(ndim))).map(Int.init) }
        return TensorType(dims, DType(runtimeCode: dtype))
    }
}
