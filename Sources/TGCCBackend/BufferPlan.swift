import TGCBase
import TGCCore

/// Where each IR value's elements live in a generated program, decided once per module:
/// its own buffer, a view of another value's buffer (reshape, detach, loop results), static
/// data (constants) or a bound input. Also lowers every op, once, for the emitters.
public struct BufferPlan {
    /// How one value is stored.
    public enum Storage {
        /// A buffer of its own, allocated once before the program runs.
        case owned
        /// The buffer of another value (never itself a view).
        case view(of: Value)
        /// A static constant array with these elements.
        case staticData([Double])
        /// The data of entry `index` of the input table.
        case input(index: Int)
    }

    /// One entry of the generated program's input table.
    public struct InputEntry {
        public var name: String
        public var type: TensorType
    }

    /// What a loop must do with one carried value at the end of each iteration.
    public enum CarryCopy {
        /// The yielded value already is this block argument.
        case none
        /// Copy the yielded value straight into the block argument.
        case direct
        /// The yielded value lives in another block argument of this loop (a swap): copy it
        /// into a temporary first, then into the block argument once every read is done.
        case throughTemporary
    }

    public private(set) var storage: [Value: Storage] = [:]
    /// Values in order of definition (block arguments before their block's results).
    public private(set) var values: [Value] = []
    public private(set) var inputs: [InputEntry] = []
    private var lowered: [ObjectIdentifier: LoweredOp] = [:]
    private var carryCopies: [ObjectIdentifier: [CarryCopy]] = [:]

    public init(_ module: Module) throws {
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

    private mutating func define(_ value: Value, _ kind: Storage) {
        var kind = kind
        if case .view(let base) = kind { kind = .view(of: root(base)) }
        storage[value] = kind
        values.append(value)
    }

    private mutating func plan(_ block: Block) throws {
        for argument in block.arguments { define(argument, .owned) }
        for op in block.ops {
            let lowering = try KernelLowering.lower(op)
            lowered[ObjectIdentifier(op)] = lowering
            for region in op.regions { try plan(region) }
            switch lowering {
            case .view(let base):
                define(op.result, .view(of: base))
            case .staticData(let data):
                define(op.result, .staticData(data))
            case .input(let name):
                define(op.result, .input(index: try inputIndex(name, op.result.type, op.location)))
            case .loop:
                let body = op.regions[0]
                let arguments = Array(body.arguments.dropFirst())
                let argumentRoots = Set(arguments)
                carryCopies[ObjectIdentifier(op)] = zip(arguments, body.yielded).map { argument, yielded in
                    let source = root(yielded)
                    if source == argument { return .none }
                    return argumentRoots.contains(source) ? .throughTemporary : .direct
                }
                // The results are the block arguments' buffers after the last iteration.
                for (result, argument) in zip(op.results, arguments) { define(result, .view(of: argument)) }
            case .kernel, .random, .load, .branch:
                for result in op.results { define(result, .owned) }
            case .save, .print, .reseed, .yield:
                break
            }
        }
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
