import TGCBase

/// An IR invariant that does not hold: a bug in tgc, never in the user's program.
public struct VerifierError: Error, CustomStringConvertible {
    public var message: String
    /// The op that breaks the invariant (for a region, the op that owns it), when there is one.
    public var failingOp: ObjectIdentifier?
    public var description: String { "internal error: IR verification failed: \(message)" }
}

/// Checks the IR invariants: every operand is defined before use in an enclosing scope, result
/// types agree with the op's type rule, regions end in `yield` with the right types, operand
/// counts match each kind's arity, and `loop_exit` stands only in a loop's body.
public enum Verifier {
    public static func verify(_ module: Module, after pass: String? = nil) throws {
        var scope = Set<Value>()
        do {
            try verify(module.body, scope: &scope, expectYield: false, loopBody: false)
        } catch var error as VerifierError {
            if let pass { error.message = "after pass '\(pass)': " + error.message }
            throw error
        }
    }

    private static func verify(_ block: Block, scope: inout Set<Value>, expectYield: Bool, loopBody: Bool) throws {
        let outer = scope
        defer { scope = outer }
        scope.formUnion(block.arguments)
        for (index, op) in block.ops.enumerated() {
            if op.kind == .loopExit && !loopBody {
                throw VerifierError(message: "loop_exit at \(op.location) is not in a loop's body", failingOp: ObjectIdentifier(op))
            }
            do {
                try verify(op, endsBlock: index == block.ops.count - 1, scope: &scope)
            } catch var error as VerifierError where error.failingOp == nil {
                error.failingOp = ObjectIdentifier(op)
                throw error
            }
        }
        if expectYield && block.ops.last?.kind != .yield {
            throw VerifierError(message: "a region does not end in yield")
        }
    }

    private static func verify(_ op: Op, endsBlock: Bool, scope: inout Set<Value>) throws {
        let at = "\(IRPrinter.opName(op.kind)) at \(op.location)"
        for operand in op.operands where !scope.contains(operand) {
            throw VerifierError(message: "\(at) uses \(operand) before it is defined")
        }
        if let arity = op.kind.arity, arity != op.operands.count {
            throw VerifierError(message: "\(at) has \(op.operands.count) operands, expected \(arity)")
        }
        if op.kind == .yield && !endsBlock {
            throw VerifierError(message: "yield must end its block")
        }
        try verifyTypes(op, at)
        for region in op.regions {
            try verify(region, scope: &scope, expectYield: true, loopBody: op.kind == .forLoop)
        }
        scope.formUnion(op.results)
    }

    private static func verifyTypes(_ op: Op, _ at: String) throws {
        switch op.kind {
        case .forLoop:
            let body = op.regions.first
            let expected = op.operands.map(\.type)
            guard op.regions.count == 1, let body, body.arguments.count == expected.count + 1,
                  body.arguments[0].type == .scalar(.int64),
                  Array(body.arguments.dropFirst().map(\.type)) == expected,
                  body.yielded.map(\.type) == expected, op.results.map(\.type) == expected else {
                throw VerifierError(message: "\(at): loop arguments, yields and results disagree")
            }
        case .ifElse:
            let expected = op.results.map(\.type)
            guard op.regions.count == 2, op.regions.allSatisfy({ $0.yielded.map(\.type) == expected }) else {
                throw VerifierError(message: "\(at): branches yield types other than the results")
            }
        case .fusion:
            guard op.regions.count == 1, op.regions[0].arguments.map(\.type) == op.operands.map(\.type),
                  op.regions[0].yielded.map(\.type) == op.results.map(\.type) else {
                throw VerifierError(message: "\(at): fusion arguments, yields and results disagree")
            }
        case .yield:
            return
        default:
            let inferred: [TensorType]
            do {
                inferred = try op.kind.definition.inferType(op.operands.map(\.type), op.attributes)
            } catch let error as OpTypeError {
                throw VerifierError(message: "\(at): \(error.message)")
            }
            guard inferred == op.results.map(\.type) else {
                throw VerifierError(message: "\(at): results \(op.results.map(\.type)) but the type rule gives \(inferred)")
            }
        }
    }
}
