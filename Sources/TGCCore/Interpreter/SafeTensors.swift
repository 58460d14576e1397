import CTGCRuntime
import Foundation
import TGCBase

/// safetensors files through the C runtime (the same code generated binaries use): the index
/// at compile time, tensors by name at run time.
public enum SafeTensors {
    /// The tensors of a file, in its header's order, with the type each loads as.
    public static func readIndex(_ path: String) throws -> [(name: String, type: TensorType)] {
        var index = tgc_safetensors_index()
        try RuntimeCall.check { tgc_safetensors_read_index(path, &index, $0, $1) }
        defer { tgc_safetensors_free_index(&index) }
        return try (0..<Int(index.count)).map { i in
            let entry = index.entries[i]
            let name = String(cString: entry.name)
            guard entry.loads_as >= 0 else {
                let dtype = withUnsafeBytes(of: entry.dtype_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                throw ToolError("'\(path)': tensor '\(name)' has dtype \(dtype), which tgc cannot load (F32, F64, I64, I32, U8, BOOL)")
            }
            return (name, RuntimeCall.headerType(dtype: tgc_dtype(UInt32(entry.loads_as)), ndim: entry.ndim, shape: entry.shape))
        }
    }

    /// Tensor `name` of the file, which must load as `type`.
    public static func load(_ path: String, name: String, as type: TensorType) throws -> Tensor {
        try RuntimeCall.readTensor(type) {
            tgc_safetensors_load(path, name, type.dtype.runtimeCode, Int32($1.count), $1, $0, $2, $3)
        }
    }

    /// Checks that the file holds no tensor other than `names` (a checkpoint of another model).
    public static func checkKeys(_ path: String, _ names: [String]) throws {
        let copies = names.map { UnsafePointer(strdup($0)) }
        defer { copies.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
        try RuntimeCall.check { tgc_safetensors_check_keys(path, Int32(copies.count), copies, $0, $1) }
    }

    /// Writes the tensors under their names, in order.
    public static func save(_ tensors: [(name: String, tensor: Tensor)], to path: String) throws {
        let shapes = tensors.map { $0.tensor.shape.map(Int64.init) }
        let names = tensors.map { strdup($0.name) }
        defer { names.forEach { free($0) } }
        /// The tensors' bytes, each pinned for the duration of the call.
        func withBytes<R>(_ index: Int, _ pointers: [UnsafeRawPointer?], _ body: ([UnsafeRawPointer?]) throws -> R) throws -> R {
            guard index < tensors.count else { return try body(pointers) }
            return try tensors[index].tensor.withRuntimeBytes { try withBytes(index + 1, pointers + [$0], body) }
        }
        try withBytes(0, []) { data in
            try withPointers(to: shapes) { shapePointers in
                var entries = tensors.indices.map { i in
                    tgc_safetensors_tensor(name: names[i], dtype: tensors[i].tensor.dtype.runtimeCode,
                                           ndim: Int32(shapes[i].count), shape: shapePointers[i], data: data[i])
                }
                try RuntimeCall.check { tgc_safetensors_save(path, Int32(entries.count), &entries, $0, $1) }
            }
        }
    }

    /// Runs `body` with a stable base address for each array (nil for an empty one).
    private static func withPointers<T, R>(to arrays: [[T]], _ body: ([UnsafePointer<T>?]) throws -> R) throws -> R {
        func nest(_ index: Int, _ pointers: [UnsafePointer<T>?]) throws -> R {
            guard index < arrays.count else { return try body(pointers) }
            return try arrays[index].withUnsafeBufferPointer { try nest(index + 1, pointers + [$0.baseAddress]) }
        }
        return try nest(0, [])
    }
}
