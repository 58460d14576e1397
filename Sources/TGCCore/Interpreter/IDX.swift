import CTGCRuntime
import TGCBase

/// IDX files (the MNIST format, gzip'd or not) through the C runtime, and the `load` op's reader
/// that picks .npy or IDX by the file's first bytes (the same code generated binaries use).
public enum IDX {
    /// The dtype and shape in an IDX header (read at compile time).
    public static func readType(_ path: String) throws -> TensorType {
        var header = tgc_idx_header()
        try RuntimeCall.check { tgc_idx_read_header(path, &header, $0, $1) }
        return RuntimeCall.headerType(dtype: header.dtype, ndim: header.ndim, shape: header.shape)
    }

    /// The tensor of a `load` op without a safetensors name: a .npy or IDX file of exactly `type`.
    public static func loadDataFile(_ path: String, as type: TensorType) throws -> Tensor {
        try RuntimeCall.readTensor(type) { tgc_data_load(path, type.dtype.runtimeCode, Int32($1.count), $1, $0, $2, $3) }
    }
}
