import CTGCRuntime
import Foundation
import TGCBase

/// safetensors files through the C runtime (the same code generated binaries use): the index
/// at compile time, tensors by name at run time.
public enum SafeTensors {
    /// The tensors of a file, in its header's order, with the type each loads as.
    public static func readIndex(_ path: String) throws -> [(name: String, type: TensorType)] {
        var index = tgc_safetensors_index()
        var error = [CChar](repeating: 0, count: 512)
        guard tgc_safetensors_read_index(path, &index, &error, error.count) == 0 else { throw ToolError(runtimeMessage: error) }
        defer { tgc_safetensors_free_index(&index) }
        return try (0..<Int(index.count)).map { i in
            let entry = index.entries[i]
            let name = String(cString: entry.name)
            let shape = withUnsafeBytes(of: entry.shape) { raw in
                Array(raw.bindMemory(to: Int64.self).prefix(Int(entry.ndim))).map(Int.init)
            }
            guard entry.loads_as >= 0 else {
                let dtype = withUnsafeBytes(of: entry.dtype_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                throw ToolError("'\(path)': tensor '\(name)' has dtype \(dtype), which tgc cannot load (F32, F64, I64, I32, U8, BOOL)")
            }
            return (name, TensorType(shape, DType(runtimeCode: tgc_dtype(UInt32(entry.loads_as)))))
        }
    }

    /// Tensor `name` of the file, which must load as `type`.
    public static func load(_ path: String, name: String, as type: TensorType) throws -> Tensor {
        var error = [CChar](repeating: 0, count: 512)
        let shape = type.shape.map(Int64.init)
        var status: Int32 = 0
        let tensor = Tensor(type: type) { buffer in
            status = tgc_safetensors_load(path, name, type.dtype.runtimeCode, Int32(shape.count), shape, buffer, &error, error.count)
        }
        guard status == 0 else { throw ToolError(runtimeMessage: error) }
        return tensor
    }

    /// Writes the tensors under their names, in order.
    public static func save(_ tensors: [(name: String, tensor: Tensor)], to path: String) throws {
        var error = [CChar](repeating: 0, count: 512)
        let shapes = tensors.map { $0.tensor.shape.map(Int64.init) }
        let names = tensors.map { strdup($0.name) }
        defer { names.forEach { free($0) } }
        /// The tensors' bytes, each pinned for the duration of the call.
        func withBytes<R>(_ index: Int, _ pointers: [UnsafeRawPointer?], _ body: ([UnsafeRawPointer?]) -> R) -> R {
            guard index < tensors.count else { return body(pointers) }
            return tensors[index].tensor.withRuntimeBytes { withBytes(index + 1, pointers + [$0], body) }
        }
        let status: Int32 = withBytes(0, []) { data in
            withPointers(to: shapes) { shapePointers in
                var entries = tensors.indices.map { i in
                    tgc_safetensors_tensor(name: names[i], dtype: tensors[i].tensor.dtype.runtimeCode,
                                           ndim: Int32(shapes[i].count), shape: shapePointers[i], data: data[i])
                }
                return tgc_safetensors_save(path, Int32(entries.count), &entries, &error, error.count)
            }
        }
        guard status == 0 else { throw ToolError(runtimeMessage: error) }
    }

    /// Runs `body` with a stable base address for each array (nil for an empty one).
    private static func withPointers<T, R>(to arrays: [[T]], _ body: ([UnsafePointer<T>?]) -> R) -> R {
        func nest(_ index: Int, _ pointers: [UnsafePointer<T>?]) -> R {
            guard index < arrays.count else { return body(pointers) }
            return arrays[index].withUnsafeBufferPointer { nest(index + 1, pointers + [$0.baseAddress]) }
        }
        return nest(0, [])
    }
}
