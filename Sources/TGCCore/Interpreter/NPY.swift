import CTGCRuntime
import TGCBase

/// .npy reading and writing through the C runtime (the same code generated binaries use).
public enum NPY {
    /// The dtype and shape in a .npy header.
    public static func readType(_ path: String) throws -> TensorType {
        var header = tgc_npy_header()
        var error = [CChar](repeating: 0, count: 512)
        guard tgc_npy_read_header(path, &header, &error, error.count) == 0 else {
            throw ToolError(runtimeMessage: error)
        }
        let shape = withUnsafeBytes(of: header.shape) { raw in
            Array(raw.bindMemory(to: Int64.self).prefix(Int(header.ndim))).map(Int.init)
        }
        return TensorType(shape, DType(runtimeCode: header.dtype))
    }

    public static func load(_ path: String, as type: TensorType) throws -> Tensor {
        var error = [CChar](repeating: 0, count: 512)
        let shape = type.shape.map(Int64.init)
        var status: Int32 = 0
        let tensor = Tensor(type: type) { buffer in
            status = tgc_npy_load(path, type.dtype.runtimeCode, Int32(shape.count), shape, buffer, &error, error.count)
        }
        guard status == 0 else { throw ToolError(runtimeMessage: error) }
        return tensor
    }

    public static func save(_ tensor: Tensor, to path: String) throws {
        var error = [CChar](repeating: 0, count: 512)
        let shape = tensor.shape.map(Int64.init)
        let status = tensor.withRuntimeBytes {
            tgc_npy_save(path, tensor.dtype.runtimeCode, Int32(shape.count), shape, $0, &error, error.count)
        }
        guard status == 0 else { throw ToolError(runtimeMessage: error) }
    }
}
