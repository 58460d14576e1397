import CTGCRuntime
import TGCBase

/// The eager-mode Builder: runs each op at once through the interpreter (define-by-run) and
/// records it on a tape, so `gradient` can sweep backwards with the same VJP rules as the IR pass.
public final class EagerBuilder: Builder {
    public let context: RunContext
    /// When set, each op is reported (kind, location, operand and result types) before it runs.
    public var trace: ((String) -> Void)?
    private var tensors: [Tensor] = []
    private var tape: [TapeEntry] = []
    /// The last type inference of each op kind applied without attributes.
    /// Scratch for the values a tape-free loop iteration keeps.
    private var survivors: [Tensor] = []
    /// The carried values whose history the running loop iteration keeps, and the other values
    /// its caller still holds (`keepHistory`).
    private var historyRoots: (roots: [ValueID], held: [ValueID])?
    private var lastInference: [OpKind: (operands: [TensorType], results: [TensorType])] = [:]
    /// Whether ops are recorded for `gradient`; a program that never differentiates skips it.
    public var recordsTape = true

    /// The largest tensor the interpreter allocates (8 GiB of Double elements).
    public static let maximumElements = 1 << 30

    public init(context: RunContext) {
        self.context = context
        // Freed values' buffers go back to the allocator, which hands them to the next ones.
        tgc_keep_freed_memory()
    }

    /// The concrete tensor behind a handle.
    public func tensor(_ id: ValueID) -> Tensor {
        let tensor = tensors[id.raw]
        precondition(tensor.storage.count == tensor.type.elementCount, "\(id) was freed as spent; it is read again")
        return tensor
    }

    /// The values whose elements are held (not freed as spent) and the bytes of those elements.
    public var heldStorage: (values: Int, bytes: Int) {
        tensors.reduce(into: (0, 0)) { held, tensor in
            guard tensor.storage.count == tensor.type.elementCount else { return }
            held.0 += 1
            held.1 += tensor.type.elementCount * tensor.dtype.byteSize
        }
    }

    /// Frees the elements of a value no later op can read (its type stays for `type(of:)`).
    private func free(_ id: Int) {
        if tensors[id].type.elementCount > 0 { tensors[id].storage = TensorStorage.empty(tensors[id].dtype) }
    }

    /// Registers a computed tensor and returns its handle.
    public func add(_ tensor: Tensor) -> ValueID {
        tensors.append(tensor)
        return ValueID(raw: tensors.count - 1)
    }

    public func type(of value: ValueID) -> TensorType { tensors[value.raw].type }

    public func apply(_ kind: OpKind, _ operands: [ValueID], _ attributes: Attributes,
                      at location: SourceLocation) throws -> [ValueID] {
        let resultTypes = try inferResultTypes(kind, operands, attributes, at: location)
        guard let type = resultTypes.first else {
            _ = try Interpreter.run(kind, operands.map(tensor), attributes, resultTypes: [], context: context, at: location)
            return []
        }
        return [try computeResult(kind, operands, attributes, type, at: location)]
    }

    public func applySingleResult(_ kind: OpKind, _ operands: [ValueID], _ attributes: Attributes,
                                  at location: SourceLocation) throws -> ValueID {
        let resultTypes = try inferResultTypes(kind, operands, attributes, at: location)
        precondition(resultTypes.count == 1, "\(kind.name) does not have exactly one result")
        return try computeResult(kind, operands, attributes, resultTypes[0], at: location)
    }

    private func computeResult(_ kind: OpKind, _ operands: [ValueID], _ attributes: Attributes,
                               _ type: TensorType, at location: SourceLocation) throws -> ValueID {
        let result = add(try Interpreter.compute(kind, operands.map(tensor), attributes, resultType: type,
                                                 context: context, at: location))
        if recordsTape {
            tape.append(TapeEntry(kind: kind, operands: operands, results: [result], attributes: attributes, location: location))
        }
        return result
    }

    /// The op's result types, with shape errors as Diagnostics. Loops run the same op on the
    /// same types over and over, so the last inference of each attribute-free kind is reused.
    private func inferResultTypes(_ kind: OpKind, _ operands: [ValueID], _ attributes: Attributes,
                                  at location: SourceLocation) throws -> [TensorType] {
        let plain = trace == nil && attributes == .none
        if plain, let cached = lastInference[kind], cached.operands.count == operands.count,
           cached.operands.indices.allSatisfy({ cached.operands[$0] == type(of: operands[$0]) }) {
            return cached.results
        }
        let operandTypes = operands.map { type(of: $0) }
        let resultTypes: [TensorType]
        do {
            resultTypes = try kind.definition.inferType(operandTypes, attributes)
        } catch let error as OpTypeError {
            throw Diagnostic(error.message, at: location)
        }
        for type in resultTypes {
            do { try ShapeRules.checkSize(type) } catch let error as OpTypeError { throw Diagnostic(error.message, at: location) }
            guard type.elementCount > Self.maximumElements else { continue }
            throw Diagnostic("a tensor of shape \(formatShape(type.shape)) has \(type.elementCount) elements; eager mode holds at most \(Self.maximumElements) per tensor", at: location)
        }
        if let trace {
            let from = operandTypes.map(\.description).joined(separator: ", ")
            let to = resultTypes.map(\.description).joined(separator: ", ")
            trace("\(location): \(kind.name)(\(from))\(to.isEmpty ? "" : " -> " + to)")
        }
        if plain { lastInference[kind] = (operandTypes, resultTypes) }
        return resultTypes
    }

    public func loop(_ range: Range<Int>, carrying: [ValueID], at location: SourceLocation,
                     body: (ValueID, [ValueID]) throws -> [ValueID]) throws -> [ValueID] {
        var carried = carrying
        let loopStart = tensors.count
        var history = Set<Int>()   // what the kept history of the iterations so far reads
        for index in range {
            let (mark, tapeMark) = (tensors.count, tape.count)
            let indexValue = add(Tensor(type: .scalar(.int64), storage: .int64([Int64(index)])))
            historyRoots = nil
            // A `loopExit` whose flag is set ends the loop where it stands (the iteration's
            // values are released as any iteration's, the carried ones kept).
            var exited = false
            let next: [ValueID]
            do {
                next = try body(indexValue, carried)
            } catch is LoopExit {
                (exited, next) = (true, carried)
            }
            for (new, old) in zip(next, carried) where type(of: new) != type(of: old) {
                throw Diagnostic("loop-carried value changes type from \(type(of: old)) to \(type(of: new)); compiled control flow needs fixed shapes and dtypes", at: location)
            }
            if recordsTape {
                let (roots, held) = historyRoots ?? (next, [])
                let kept = next + held
                history.formUnion(releaseIteration(made: mark, tape: tapeMark, keeping: kept, historyOf: roots))
                // The versions the previous iteration carried in, now replaced, go too.
                let keptIDs = Set(kept.map(\.raw))
                for old in carried where old.raw >= loopStart && !keptIDs.contains(old.raw) && !history.contains(old.raw) { free(old.raw) }
                carried = next
            } else {
                // Without a tape, only the carried values outlive an iteration: free the rest,
                // reusing the builder's scratch and the carried array (no allocation per iteration).
                survivors.removeAll(keepingCapacity: true)
                for id in next { survivors.append(tensors[id.raw]) }
                tensors.removeSubrange(mark...)
                for (position, tensor) in survivors.enumerated() { carried[position] = add(tensor) }
            }
            if exited { break }
        }
        return carried
    }

    public func keepHistory(of roots: [ValueID], holding held: [ValueID]) { historyRoots = (roots, held) }

    /// After a loop iteration (its values from `mark` on, its tape entries from `tapeMark` on):
    /// what outlives it is `kept` (the carried values and those the caller holds), and the history
    /// of `roots` among them (the tape entries a later gradient may walk back through, and the
    /// values those read, which it returns). The rest of what the iteration made is freed and
    /// its tape entries dropped, as PyTorch frees a graph nothing refers to, so a training loop
    /// runs in the memory of one iteration.
    private func releaseIteration(made mark: Int, tape tapeMark: Int, keeping kept: [ValueID], historyOf roots: [ValueID]) -> Set<Int> {
        var reachable = Set(roots.lazy.map(\.raw).filter { $0 >= mark })
        var history: [TapeEntry] = []
        for entry in tape[tapeMark...].reversed() where entry.results.contains(where: { reachable.contains($0.raw) }) {
            history.append(entry)
            if entry.kind == .stopGradient { continue }   // no gradient reaches what it read (item(), detach())
            for operand in entry.operands where operand.raw >= mark { reachable.insert(operand.raw) }
        }
        tape.removeSubrange(tapeMark...)
        tape.append(contentsOf: history.reversed())
        let historyValues = reachable
        reachable.formUnion(kept.lazy.map(\.raw))
        for id in mark..<tensors.count where !reachable.contains(id) { free(id) }
        return historyValues
    }

    public func branch(_ condition: ValueID, carrying: [ValueID], at location: SourceLocation,
                       then: ([ValueID]) throws -> [ValueID],
                       else: ([ValueID]) throws -> [ValueID]) throws -> [ValueID] {
        let value = tensor(condition)
        guard value.type == .scalar(.bool) else {
            throw Diagnostic("condition must be a bool scalar, got \(value.type)", at: location)
        }
        let results = value.elements[0] != 0 ? try then(carrying) : try `else`(carrying)
        for (new, old) in zip(results, carrying) where type(of: new) != type(of: old) {
            throw Diagnostic("value assigned in 'if' changes type from \(type(of: old)) to \(type(of: new)); compiled control flow needs fixed shapes and dtypes", at: location)
        }
        return results
    }

    public func gradient(of output: ValueID, seed: ValueID?, wrt: [ValueID],
                         at location: SourceLocation) throws -> [ValueID] {
        precondition(recordsTape, "gradient requested from an EagerBuilder that records no tape")
        return try ReverseSweep.gradients(of: output, seed: seed, wrt: wrt, entries: tape, builder: self, at: location)
    }

    /// The sweep's ops leave the tape (no later sweep differentiates through them), and each
    /// value it made is freed as soon as no later rule can read it, so the allocator hands its
    /// buffer to the next one: a backward pass runs in the memory of a few cotangents.
    public func detachedGradient(of output: ValueID, seed: ValueID?, wrt: [ValueID],
                                 at location: SourceLocation) throws -> [ValueID] {
        precondition(recordsTape, "gradient requested from an EagerBuilder that records no tape")
        let (firstValue, firstEntry) = (tensors.count, tape.count)
        var held: [Int] = []   // values the sweep made that may still hold their elements
        var unseen = firstValue
        let gradients = try ReverseSweep.gradients(of: output, seed: seed, wrt: wrt, entries: tape, builder: self,
                                                   consumed: { [unowned self] live in
            held.append(contentsOf: unseen..<tensors.count)
            unseen = tensors.count
            held.removeAll { id in
                if live.contains(ValueID(raw: id)) { return false }
                free(id)
                return true
            }
        }, at: location)
        tape.removeSubrange(firstEntry...)
        let kept = Set(gradients.map(\.raw))
        for id in firstValue..<tensors.count where !kept.contains(id) { free(id) }
        return gradients
    }

    public func recordedEntries() -> [TapeEntry] { tape }
}
