import TGCBase

/// Runs a whole IR module on the interpreter, op by op, with loops and branches: the oracle
/// that the compiled backends are tested against.
public enum ModuleRunner {
    /// Executes `module.body` once; effects (prints, saves, RNG draws) go through `context`.
    public static func run(_ module: Module, context: RunContext) throws {
        var environment: [Value: Tensor] = [:]
        _ = try run(module.body, arguments: [], environment: &environment, context: context)
    }

    /// Runs `block` with its arguments bound to `arguments`; returns the yielded tensors.
    private static func run(_ block: Block, arguments: [Tensor], environment: inout [Value: Tensor],
                            context: RunContext) throws -> [Tensor] {
        for (argument, tensor) in zip(block.arguments, arguments) { environment[argument] = tensor }
        for op in block.ops {
            let operands = try op.operands.map { operand in
                guard let tensor = environment[operand] else {
                    throw Diagnostic("internal error: \(operand) is used before it is defined", at: op.location)
                }
                return tensor
            }
            let results: [Tensor]
            switch op.kind {
            case .yield:
                return operands
            case .gradient:
                throw Diagnostic("gradient op was not expanded; run the autodiff pass", at: op.location)
            case .forLoop:
                results = try runLoop(op, initial: operands, environment: &environment, context: context)
            case .fusion:
                results = try run(op.regions[0], arguments: operands, environment: &environment, context: context)
            case .ifElse:
                let taken = operands[0].elements[0] != 0 ? op.regions[0] : op.regions[1]
                results = try run(taken, arguments: [], environment: &environment, context: context)
            default:
                results = try Interpreter.run(op.kind, operands, op.attributes, resultTypes: op.results.map(\.type),
                                              context: context, at: op.location)
            }
            for (value, tensor) in zip(op.results, results) { environment[value] = tensor }
        }
        return []
    }

    /// `for index in lower..<upper`, threading the carried values through the body's yield.
    private static func runLoop(_ op: Op, initial: [Tensor], environment: inout [Value: Tensor],
                                context: RunContext) throws -> [Tensor] {
        let (lower, upper) = (op.attributes.lower ?? 0, op.attributes.upper ?? 0)
        var carried = initial
        var index = lower
        while index < upper {
            let indexTensor = Tensor(type: .scalar(.int64), storage: .int64([Int64(index)]))
            do {
                carried = try run(op.regions[0], arguments: [indexTensor] + carried,
                                  environment: &environment, context: context)
            } catch is LoopExit {
                break
            }
            index += 1
        }
        return carried
    }
}
