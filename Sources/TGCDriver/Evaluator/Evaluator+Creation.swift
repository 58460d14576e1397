import Foundation
import TGCBase
import TGCCore

/// The creation and I/O built-ins (CreationBuiltins.swift declares their parameters: each
/// receives its arguments already matched).
extension Evaluator {
    func manualSeed(_ site: CallSite) throws -> EvalValue {
        let seed = try staticInt(site.value("seed")!, what: "the seed", at: site.location("seed"))
        var attrs = Attributes()
        attrs.seed = seed
        _ = try builder.apply(.manualSeed, [], attrs, at: site.location)
        return .void
    }

    /// The path of a data file: relative paths are relative to the model file.
    func resolvePath(_ value: EvalValue?, at location: SourceLocation) throws -> String {
        guard case .string(let path)? = value else {
            throw Diagnostic("expected a file path string literal", at: location)
        }
        if path.hasPrefix("/") { return path }
        return URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).standardizedFileURL.path
    }

    /// `load("x.npy")`: the header is read now; an array the program saved earlier by the same
    /// relative path (`save(x, "x.npy")`) is read back from the output directory with the
    /// type it was saved with, and need not exist when the program is compiled.
    func loadNPY(_ site: CallSite) throws -> EvalValue {
        if case .string(let saved)? = site.value("path"), let type = savedArrays[saved] {
            return try load(saved, type, at: site.location)
        }
        if case .string(let saved)? = site.value("path"), let index = savedCheckpoints[saved] {
            return try loadSafetensors(saved, expecting: index, at: site.location("path"))
        }
        let path = try resolvePath(site.value("path"), at: site.location("path"))
        if path.hasSuffix(".safetensors") { return try loadSafetensors(path, at: site.location("path")) }
        let type: TensorType
        do { type = try NPY.readType(path) } catch let error as ToolError {
            throw Diagnostic(error.message, at: site.location("path"))
        }
        return try load(path, type, at: site.location)
    }

    private func load(_ path: String, _ type: TensorType, at location: SourceLocation) throws -> EvalValue {
        var attrs = Attributes()
        attrs.path = path
        attrs.shape = type.shape
        attrs.dtype = type.dtype
        return .tensor(TensorValue(id: try builder.apply1(.load, [], attrs, at: location)))
    }

    func saveNPY(_ site: CallSite) throws -> EvalValue {
        guard case .string(let path)? = site.value("path"), !path.isEmpty else {
            if case .formatted? = site.value("path") {
                throw Diagnostic("save's file path must be known when compiling; this one interpolates a run-time value (such as the counter of a loop the program runs at run time)", at: site.location("path"))
            }
            throw Diagnostic("save needs a file path string literal", at: site.location("path"))
        }
        if path.hasSuffix(".safetensors") { return try saveSafetensors(site.value("tensor")!, to: path, at: site.location("tensor")) }
        switch site.value("tensor")! {
        case .module, .optimizer, .dictionary:
            throw Diagnostic("a model, an optimizer or a dictionary of tensors is saved to a .safetensors file (save(model, \"model.safetensors\")); torch.save's pickled .pt files are not written", at: site.location("path"))
        default: break
        }
        let tensor = try asTensor(site.value("tensor")!, at: site.location("tensor"))
        if !path.hasPrefix("/") { savedArrays[path] = builder.type(of: tensor.id) }
        var attrs = Attributes()
        attrs.path = path
        _ = try builder.apply(.save, [tensor.id], attrs, at: site.location)
        return .void
    }

    func makeInput(_ site: CallSite) throws -> EvalValue {
        guard case .string(let name)? = site.value("name"), Self.isIdentifier(name) else {
            throw Diagnostic("input needs a name made of letters, digits and '_'", at: site.location("name"))
        }
        var attrs = Attributes()
        attrs.name = name
        attrs.shape = try shape(from: site.values("shape"), at: site.location("shape"))
        attrs.dtype = try dtypeArgument(site) ?? .float32
        return .tensor(TensorValue(id: try builder.apply1(.input, [], attrs, at: site.location)))
    }

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || CharacterSet.letters.contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || CharacterSet.alphanumerics.contains($0) } && name.allSatisfy(\.isASCII)
    }

    func dtypeArgument(_ site: CallSite) throws -> DType? {
        guard let value = site.value("dtype") else { return nil }
        guard case .dtype(let dtype) = value else {
            throw Diagnostic("dtype must be .float32, .float64, .int64, .int32, .uint8 or .bool", at: site.location("dtype"))
        }
        return dtype
    }

    /// A creation function's `device:` must name a device (`.cpu`, `.cuda`, `"cuda:0"`, or a
    /// value holding one); the tensor is made on the one device programs run on.
    func checkDeviceArgument(_ site: CallSite) throws {
        guard let value = site.value("device"), !value.isDevice else { return }
        throw Diagnostic("device must be .cpu or .cuda, got \(value.kindName)", at: site.location("device"))
    }

    func requiresGradArgument(_ site: CallSite) throws -> Bool {
        guard let value = site.value("requiresGrad") else { return false }
        guard case .bool(let flag) = value else {
            throw Diagnostic("requiresGrad must be true or false", at: site.location("requiresGrad"))
        }
        return flag
    }

    /// A shape from `[3, 4]` or from variadic `3, 4`; every dimension a non-negative Int.
    func shape(from values: [EvalValue], at location: SourceLocation) throws -> [Int] {
        var dims: [EvalValue] = values
        if values.count == 1, let items = values[0].arrayItems { dims = items }
        let shape = try dims.map { try staticInt($0, what: "a dimension", at: location) }
        for dim in shape where dim < 0 {
            throw Diagnostic("negative dimension \(dim) in shape \(formatShape(shape))", at: location)
        }
        do { _ = try ShapeRules.checkedCount(shape) } catch let error as OpTypeError {
            throw Diagnostic(error.message, at: location)
        }
        return shape
    }

    /// A new tensor, made a leaf that requires grad when asked.
    func creation(_ id: ValueID, requiresGrad: Bool, at location: SourceLocation) throws -> EvalValue {
        let tensor = TensorValue(id: id)
        return .tensor(requiresGrad ? try settingRequiresGrad(tensor, true, at: location) : tensor)
    }

    /// `zeros`, `ones` (a fixed value) and `full` (the value is an argument).
    func makeFilled(_ site: CallSite, value fixedValue: Double?) throws -> EvalValue {
        let shape = try shape(from: site.values("shape"), at: site.location("shape"))
        var value = fixedValue ?? 0
        var dtype = try dtypeArgument(site)
        if fixedValue == nil {
            let fill = site.value("value")!
            value = try staticDouble(fill, what: "the fill value", at: site.location("value"))
            if dtype == nil { dtype = staticDType(fill) }
        }
        let id = try builder.full(shape, value, dtype ?? .float32, at: site.location)
        return try creation(id, requiresGrad: try requiresGradArgument(site), at: site.location)
    }

    func makeRandom(_ site: CallSite, _ kind: OpKind) throws -> EvalValue {
        let dtype = try dtypeArgument(site) ?? .float32
        guard dtype.isFloatingPoint else {
            throw Diagnostic("\(site.name) makes float32 or float64 tensors only", at: site.location("dtype"))
        }
        let shape = try shape(from: site.values("shape"), at: site.location("shape"))
        return try creation(try random(kind, shape, dtype, at: site.location), requiresGrad: try requiresGradArgument(site), at: site.location)
    }

    /// Random numbers of `dtype` from the one Philox stream: float64 ones are the float32
    /// draws converted (tgc's stream is not PyTorch's in either dtype).
    func random(_ kind: OpKind, _ shape: [Int], _ dtype: DType, at location: SourceLocation) throws -> ValueID {
        var attrs = Attributes()
        attrs.shape = shape
        attrs.dtype = .float32
        return try builder.cast(try builder.apply1(kind, [], attrs, at: location), to: dtype, at: location)
    }

    func makeArange(_ site: CallSite) throws -> EvalValue {
        if site.value("positionalStep") != nil && site.value("step") != nil {
            throw Diagnostic("arange takes the step once, positionally or as step:", at: site.location("step"))
        }
        var bounds = [site.value("start")!] + [site.value("end"), site.value("positionalStep") ?? site.value("step")].compactMap { $0 }
        if bounds.count == 1 { bounds.insert(.int(0), at: 0) }
        let numbers = try bounds.map { try staticDouble($0, what: "an arange bound", at: site.location) }
        let (start, end, step) = (numbers[0], numbers[1], numbers.count > 2 ? numbers[2] : 1)
        guard step != 0 else { throw Diagnostic("arange step must be nonzero", at: site.location) }
        let length = ((end - start) / step).rounded(.up)
        guard (step > 0 && end >= start) || (step < 0 && end <= start) else {
            // PyTorch: "upper bound and larger bound inconsistent with step sign".
            throw Diagnostic("arange(\(start), \(end), step: \(step)): the end cannot be reached from the start with this step's sign", at: site.location)
        }
        guard length.isFinite, length < Double(1 << 40) else {
            throw Diagnostic("arange(\(start), \(end), step: \(step)) would make too many elements", at: site.location)
        }
        let count = Int(length)
        let isFloat = bounds.contains { if case .float = $0 { return true } else { return false } }
        var attrs = Attributes()
        attrs.start = start
        attrs.step = step
        attrs.shape = [count]
        attrs.dtype = try dtypeArgument(site) ?? (isFloat ? .float32 : .int64)
        let id = try builder.apply1(.arange, [], attrs, at: site.location)
        return try creation(id, requiresGrad: try requiresGradArgument(site), at: site.location)
    }

    /// `tensor([[1, 2], [3, 4]])`: ints give int64, any float gives float32, Bools give bool.
    /// Elements may be run-time numbers (`tensor([epoch, loss.item()])`, 0-dim tensors), read
    /// as numbers as PyTorch does: the result does not require grad.
    func makeTensor(_ site: CallSite) throws -> EvalValue {
        var data: [Double] = []
        var runTime: [(position: Int, value: ValueID)] = []
        var inferred: DType = .bool
        var sawAny = false
        func flatten(_ value: EvalValue, depth: Int) throws -> [Int] {
            if let items = value.arrayItems {
                guard depth < 16 else { throw Diagnostic("tensor literal nests too deeply", at: site.location) }
                var inner: [Int]? = nil
                for item in items {
                    let shape = try flatten(item, depth: depth + 1)
                    if let inner, inner != shape {
                        throw Diagnostic("tensor literal is ragged: expected rows of shape \(formatShape(inner)), found \(formatShape(shape))", at: site.location("data"))
                    }
                    inner = shape
                }
                return [items.count] + (inner ?? [])
            }
            switch value {
            case .int(let n): data.append(Double(n)); inferred = max(inferred, .int64); sawAny = true; return []
            case .float(let x): data.append(x); inferred = .float32; sawAny = true; return []
            case .bool(let b): data.append(b ? 1 : 0); sawAny = true; return []
            case .tensor(let t) where builder.type(of: t.id).rank == 0:
                let dtype = builder.type(of: t.id).dtype
                inferred = dtype.isFloatingPoint ? .float32 : dtype == .bool ? inferred : max(inferred, .int64)
                runTime.append((data.count, t.id))
                data.append(0)
                sawAny = true
                return []
            default:
                throw Diagnostic("tensor(...) takes numbers or nested arrays of numbers, not \(value.kindName)", at: site.location("data"))
            }
        }
        let shape = try flatten(site.value("data")!, depth: 0)
        if !sawAny { inferred = .float32 }
        let dtype = try dtypeArgument(site) ?? inferred
        var attrs = Attributes()
        attrs.shape = shape
        attrs.dtype = dtype
        attrs.data = data.map { Tensor.round($0, to: dtype) }
        var id = try builder.apply1(.constant, [], attrs, at: site.location)
        if !runTime.isEmpty { id = try filled(id, runTime, dtype: dtype, at: site.location) }
        return try creation(id, requiresGrad: try requiresGradArgument(site), at: site.location)
    }

    /// `literal` with each run-time element stored at its flat position, converted to `dtype`.
    private func filled(_ literal: ValueID, _ elements: [(position: Int, value: ValueID)], dtype: DType,
                        at location: SourceLocation) throws -> ValueID {
        let shape = builder.type(of: literal).shape
        let count = shape.reduce(1, *)
        let positions = try builder.indices(count, at: location)
        var flat = try builder.reshape(literal, to: [count], at: location)
        for (position, value) in elements {
            let here = try builder.apply1(.equal, [positions, try builder.scalar(Double(position), .int64, at: location)], at: location)
            flat = try builder.apply1(.select, [here, try builder.cast(value, to: dtype, at: location), flat], at: location)
        }
        return try builder.reshape(flat, to: shape, at: location)
    }
}
