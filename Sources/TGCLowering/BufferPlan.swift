import TGCBase
import TGCCore

/// Where each IR value's elements live in a generated program, from the module's memory plan
/// (the `memory-plan` pass; a plan without reuse when the pass did not run): a slot of the
/// arena, a view of another value's storage, a transpose folded into matrix products, static
/// data, a bound input or a loop counter. Also lowers every op, once, for the emitters.
public struct BufferPlan {
    /// How one value is stored.
    public enum Storage {
        /// Bytes `offset ..< offset + size` of the arena.
        case arena(offset: Int)
        /// The storage of another value (never itself a view).
        case view(of: Value)
        /// A transpose that matrix products read from this value with a transpose flag.
        case transposed(of: Value)
        /// A static constant array with these elements.
        case staticData([Double])
        /// The data of entry `index` of the input table.
        case input(index: Int)
        /// A loop's index, a static one-element array.
        case loopIndex
    }

    /// One entry of the generated program's input table.
    public struct InputEntry {
        public var name: String
        public var type: TensorType
    }

    /// What a loop must do with one carried value at the end of each iteration.
    public enum CarryCopy {
        /// The yielded value already is in the carried value's storage (updated in place).
        case none
        /// Copy the yielded value straight into the carried value's storage.
        case direct
        /// The yielded value lives in another carried value's storage that is itself being
        /// replaced (a swap): copy it into a temporary first, then into place once every read is done.
        case throughTemporary
    }

    /// The identity of a buffer's memory: values with equal addresses share their bytes.
    public enum Address: Hashable {
        case arena(Int)
        case own(ObjectIdentifier)
    }

    public let memory: MemoryPlan
    public private(set) var storage: [Value: Storage] = [:]
    /// Values with storage of their own (not views), in order of definition.
    public private(set) var values: [Value] = []
    public private(set) var inputs: [InputEntry] = []
    private var lowered: [ObjectIdentifier: LoweredOp] = [:]
    private var carryCopies: [ObjectIdentifier: [CarryCopy]] = [:]

    public init(_ module: Module) throws {
        memory = MemoryPlan(reading: module) ?? MemoryPlan(module, reuse: false)
        try plan(module.body)
    }

    /// The lowering of `op` (every op in the module is lowered while planning).
    public func lowering(of op: Op) -> LoweredOp { lowered[ObjectIdentifier(op)]! }

    /// How each carried value of loop `op` is handed to the next iteration.
    public func carryCopies(of op: Op) -> [CarryCopy] { carryCopies[ObjectIdentifier(op)] ?? [] }

    /// The value whose storage `value` uses (itself unless it is a view).
    public func root(_ value: Value) -> Value {
        if case .view(let base) = storage[value] { return base }
        return value
    }

    /// The memory `value` occupies; zero-size values never share an address.
    public func address(_ value: Value) -> Address {
        let root = root(value)
        if case .arena(let offset) = storage[root], root.type.elementCount > 0 { return .arena(offset) }
        return .own(ObjectIdentifier(root))
    }

    /// Whether `a` and `b` share any byte (arena ranges that intersect, or the same storage).
    public func overlaps(_ a: Value, _ b: Value) -> Bool {
        let (rootA, rootB) = (root(a), root(b))
        if case .arena(let offsetA) = storage[rootA], case .arena(let offsetB) = storage[rootB] {
            let (sizeA, sizeB) = (rootA.type.elementCount * rootA.type.dtype.byteSize, rootB.type.elementCount * rootB.type.dtype.byteSize)
            return sizeA > 0 && sizeB > 0 && offsetA < offsetB + sizeB && offsetB < offsetA + sizeA
        }
        return address(a) == address(b)
    }

    private mutating func define(_ value: Value, _ kind: Storage) {
        var kind = kind
        if case .view(let base) = kind { kind = .view(of: root(base)) }
        storage[value] = kind
        if case .view = kind { return }
        values.append(value)
    }

    private func arenaStorage(_ value: Value, _ location: SourceLocation) throws -> Storage {
        guard let slot = memory.slots[value] else {
            throw Diagnostic("internal error: \(value) has no arena slot", at: location)
        }
        return .arena(offset: slot.offset)
    }

    private mutating func plan(_ block: Block) throws {
        for op in block.ops {
            let lowering = try KernelLowering.lower(op) { [memory] value in
                if case .transposedOperand(let base) = memory.storage[value] { return base }
                return nil
            }
            lowered[ObjectIdentifier(op)] = lowering
            if op.kind == .forLoop, let body = op.regions.first {
                define(body.arguments[0], .loopIndex)
                for argument in body.arguments.dropFirst() { define(argument, try arenaStorage(argument, op.location)) }
            }
            if op.kind != .fusion {
                for region in op.regions { try plan(region) }
            }
            for result in op.results {
                switch memory.storage[result] {
                case .arena:
                    define(result, try arenaStorage(result, op.location))
                case .view(let base):
                    define(result, .view(of: base))
                case .transposedOperand(let base):
                    define(result, .transposed(of: root(base)))
                case .external, nil:
                    switch lowering {
                    case .staticData(let data): define(result, .staticData(data))
                    case .input(let name): define(result, .input(index: try inputIndex(name, result.type, op.location)))
                    case .view(let base): define(result, .view(of: base))
                    case .kernel, .gemm, .random, .argsort, .cascadeSum, .nllSum, .convolution, .load, .hyper, .save, .print, .progress, .addScalar, .reseed, .loopExit, .allReduce, .processRank, .loop, .branch, .yield:
                        throw Diagnostic("internal error: \(result) has no storage", at: op.location)
                    }
                }
            }
            if op.kind == .forLoop { planCarries(op) }
        }
    }

    /// A carried value needs a copy when its yielded value is stored elsewhere, through a
    /// temporary when that storage is another carried value that is overwritten too.
    private mutating func planCarries(_ op: Op) {
        let body = op.regions[0]
        let pairs = Array(zip(body.arguments.dropFirst(), body.yielded))
        var copies: [CarryCopy] = pairs.map { address($0.1) == address($0.0) ? .none : .direct }
        let overwritten = Set(zip(pairs, copies).filter { if case .none = $0.1 { false } else { true } }.map { address($0.0.0) })
        for (index, pair) in pairs.enumerated() where overwritten.contains(address(pair.1)) {
            if case .direct = copies[index] { copies[index] = .throughTemporary }
        }
        carryCopies[ObjectIdentifier(op)] = copies
    }

    /// The table index of input `name`, adding it on first use; every use must agree on the type.
    private mutating func inputIndex(_ name: String, _ type: TensorType, _ location: SourceLocation) throws -> Int {
        if let index = inputs.firstIndex(where: { $0.name == name }) {
            guard inputs[index].type == type else {
                throw Diagnostic("input '\(name)' is declared as \(inputs[index].type) and as \(type)", at: location)
            }
            return index
        }
        inputs.append(InputEntry(name: name, type: type))
        return inputs.count - 1
    }
}
