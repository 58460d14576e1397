import CTGCRuntime
import TGCBase

/// IDX files (the MNIST format, gzip'd or not) through the C runtime, and the `load` op's reader
/// that picks .npy or IDX by the file's first bytes (the same code generated binaries use).
public enum IDX {
    /// The dtype and shape in an IDX header (read at compile time).
    public static func readType(_ path: String) throws -> TensorType {
        var header = tgc_idx_header()
        var error = [CChar](repeating: 0, count: 512)
        guard tgc_idx_read_header(path, &header, &error, error.count) == 0 else {
            throw ToolError(runtimeMessage: error)
        }
        let shape = withUnsafeBytes(of: header.shape) { raw in
            Array(raw.bindMemory(to: Int64.self).prefix(Int(header.ndim))).map(Int.init)
        }
        return TensorType(shape, DType(runtimeCode: header.dtype))
    }

    /// The tensor of a `load` op without a safetensors name: a .npy or IDX file of exactly `type`.
    public static func loadDataFile(_ path: String, as type: TensorType) throws -> Tensor {
        var error = [CChar](repeating: 0, count: 512)
        let shape = type.shape.map(Int64.init)
        var status: Int32 = 0
        let tensor = Tensor(type: type) { buffer in
            status = tgc_data_load(path, type.dtype.runtimeCode, Int32(shape.count), shape, buffer, &error, error.count)
        }
        guard status == 0 else { throw ToolError(runtimeMessage: error) }
        return tensor
    }
}
