import CTGCRuntime
import TGCBase

/// .npy reading and writing through the C runtime (the same code generated binaries use).
public enum NPY {
    /// The dtype and shape in a .npy header.
    public static func readType(_ path: String) throws -> TensorType {
        var header = tgc_npy_header()
        try RuntimeCall.check { tgc_npy_read_header(path, &header, $0, $1) }
        return RuntimeCall.headerType(dtype: header.dtype, ndim: header.ndim, shape: header.shape)
    }

    public static func load(_ path: String, as type: TensorType) throws -> Tensor {
        try RuntimeCall.readTensor(type) { tgc_npy_load(path, type.dtype.runtimeCode, Int32($1.count), $1, $0, $2, $3) }
    }

    public static func save(_ tensor: Tensor, to path: String) throws {
        let shape = tensor.shape.map(Int64.init)
        try tensor.withRuntimeBytes { bytes in
            try RuntimeCall.check { tgc_npy_save(path, tensor.dtype.runtimeCode, Int32(shape.count), shape, bytes, $0, $1) }
        }
    }
}
