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

    /// The tensor of a `load` op without a safetensors name: a .npy or IDX file of exactly `type`,
    /// or, given `fileRows`, the first `type.shape[0]` rows of one that holds `fileRows`.
    public static func loadDataFile(_ path: String, as type: TensorType, fileRows: Int? = nil) throws -> Tensor {
        try RuntimeCall.readTensor(type) { out, shape, err, errlen in
            var fileShape = shape
            if let fileRows { fileShape[0] = Int64(fileRows) }
            return tgc_data_load_rows(path, type.dtype.runtimeCode, Int32(shape.count), fileShape, shape.first ?? 1, out, err, errlen)
        }
    }
}
