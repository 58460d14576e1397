import Foundation
import TGCBase
import TGCCore
import TGCSyntax

/// Dictionaries with String keys (`["w": w]`, a loaded safetensors file): built from literals,
/// read with `d["w"]`, `d.count` and `d.keys`, written with `d["w"] = v` and `d["n"] += 1`,
/// printed as Python prints a dict.
extension Evaluator {
    /// `d["key"] = value` (a new key goes last, as in a Python dict) or `d["key"] op= value`.
    func assignEntry(_ name: String, _ entries: [(key: String, value: EvalValue)], ordered: Bool, _ arguments: [Argument], op: String,
                     value given: EvalValue, at location: SourceLocation) throws {
        guard arguments.count == 1, arguments[0].label == nil, case .string(let key) = try evaluate(arguments[0].value) else {
            throw Diagnostic("a dictionary is indexed with one string key: d[\"name\"] = value", at: location)
        }
        var entries = entries
        var value = given
        let index = entries.firstIndex { $0.key == key }
        if op != "=" {
            guard let index else { throw Diagnostic("no key \"\(key)\" in the dictionary to update with '\(op)'", at: arguments[0].location) }
            value = try binaryOperator(String(op.dropLast()), entries[index].value, value, at: location)
        }
        if let index { entries[index].value = value } else { entries.append((key, value)) }
        try assignVariable(name, .dictionary(entries, ordered: ordered), at: location)
    }

    /// `["w": w, "b": b]`: each key a string known at compile time, none twice.
    func dictionary(_ entries: [(key: Expr, value: Expr)]) throws -> EvalValue {
        var result: [(key: String, value: EvalValue)] = []
        for entry in entries {
            guard case .string(let key) = try evaluate(entry.key) else {
                throw Diagnostic("dictionary keys must be string literals", at: entry.key.location)
            }
            guard !result.contains(where: { $0.key == key }) else {
                throw Diagnostic("dictionary literal has the key \"\(key)\" twice", at: entry.key.location)
            }
            result.append((key, try evaluate(entry.value)))
        }
        return .dictionary(result)
    }

    /// `d["w"]`: the value of a key the dictionary has.
    func lookUp(_ arguments: [Argument], in entries: [(key: String, value: EvalValue)], at location: SourceLocation) throws -> EvalValue {
        guard arguments.count == 1, arguments[0].label == nil else {
            throw Diagnostic("a dictionary is indexed with one key: d[\"name\"]", at: location)
        }
        guard case .string(let key) = try evaluate(arguments[0].value) else {
            throw Diagnostic("dictionary keys are strings: d[\"name\"]", at: arguments[0].location)
        }
        guard let entry = entries.first(where: { $0.key == key }) else {
            let keys = entries.map { "\"\($0.key)\"" }.joined(separator: ", ")
            throw Diagnostic("no key \"\(key)\" in the dictionary (its keys: \(keys.isEmpty ? "none" : keys))", at: arguments[0].location)
        }
        return entry.value
    }
}

/// safetensors files as dictionaries of tensors: `load("m.safetensors")`, `save(d, "m.safetensors")`.
extension Evaluator {
    /// Where `model.load(path)` / `opt.load(path)` reads: a checkpoint the program saved before
    /// by the same relative path is read back from where `save` wrote it; any other path is
    /// resolved against the program's folder.
    func checkpointPath(_ value: EvalValue?, at location: SourceLocation) throws -> String {
        if case .string(let path)? = value, savedCheckpoints[path] != nil { return path }
        return try resolvePath(value, at: location)
    }

    /// The file's tensors, by name in its header's order; the index is read now (shapes are
    /// static), each tensor's data at run time. A checkpoint that does not exist yet when the
    /// program is compiled (one the program saves before loading it) is read as `expecting`
    /// says, and checked when the binary reads it.
    func loadSafetensors(_ path: String, expecting: [(name: String, type: TensorType)]? = nil, at location: SourceLocation) throws -> EvalValue {
        let index: [(name: String, type: TensorType)]
        do {
            if let expecting, savedCheckpoints[path] != nil || !FileManager.default.fileExists(atPath: path) {
                index = expecting
            } else {
                index = try SafeTensors.readIndex(path)
            }
        } catch let error as ToolError {
            throw Diagnostic(error.message, at: location)
        }
        return .dictionary(try index.enumerated().map { position, entry in
            var attrs = Attributes()
            attrs.path = path
            attrs.name = entry.name
            // A checkpoint loaded into a model or optimizer: when the compiled program reads it,
            // the file may hold no other tensor (each tensor's own dtype and shape are checked as
            // it loads; eager mode checks the whole file now, loadState).
            if position == 0, let expecting, builder is GraphBuilder { attrs.names = expecting.map(\.name) }
            attrs.shape = entry.type.shape
            attrs.dtype = entry.type.dtype
            return (entry.name, .tensor(TensorValue(id: try builder.apply1(.load, [], attrs, at: location))))
        })
    }

    /// `save(["w": w, "b": b], "m.safetensors")`: a dictionary whose values are all tensors;
    /// `save(model, "m.safetensors")`: the module's state dict; `save(opt, ...)`: the optimizer's.
    func saveSafetensors(_ value: EvalValue, to path: String, at location: SourceLocation) throws -> EvalValue {
        if case .module(let module) = value {
            return try saveSafetensors(.dictionary(module.namedState.map { ($0.name, .tensor($0.tensor)) }), to: path, at: location)
        }
        if case .optimizer(let optimizer) = value {
            return try saveSafetensors(.dictionary(try optimizerCheckpoint(optimizer, at: location)), to: path, at: location)
        }
        guard case .dictionary(let entries, _) = value else {
            throw Diagnostic("a safetensors file holds named tensors: save([\"name\": tensor, ...], \"\(path)\")", at: location)
        }
        guard !entries.isEmpty else { throw Diagnostic("save of an empty dictionary: a safetensors file needs a tensor", at: location) }
        var tensors = try entries.map { entry -> (name: String, id: ValueID) in
            guard case .tensor(let tensor) = entry.value else {
                throw Diagnostic("\"\(entry.key)\" is not a tensor (\(entry.value.kindName)); a safetensors file holds tensors only", at: location)
            }
            return (entry.key, tensor.id)
        }
        // The safetensors library's layout: the widest dtypes first, then by name (what
        // `load(path).keys` lists, here and in PyTorch).
        let rank: [DType: Int] = [.int64: 0, .float64: 1, .float32: 2, .int32: 3, .uint8: 4, .bool: 5]
        tensors.sort { (rank[builder.type(of: $0.id).dtype]!, $0.name) < (rank[builder.type(of: $1.id).dtype]!, $1.name) }
        var attrs = Attributes()
        attrs.path = path
        attrs.names = tensors.map(\.name)
        if !path.hasPrefix("/") { savedCheckpoints[path] = tensors.map { ($0.name, builder.type(of: $0.id)) } }
        _ = try builder.apply(.save, tensors.map(\.id), attrs, at: location)
        return .void
    }
}
