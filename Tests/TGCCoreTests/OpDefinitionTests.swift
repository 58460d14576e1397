import Testing
@testable import TGCCore

/// The op definitions (Ops/OpTable.swift) agree with the per-layer switches that cannot read
/// them, and their facts are consistent with each other.
@Suite struct OpDefinitionTests {
    @Test func everyKindHasOneDefinition() {
        for kind in OpKind.allCases {
            #expect(kind.definition.kind == kind)
        }
    }

    /// A PyTorch backward name is declared exactly for the kinds VJPRules differentiates.
    @Test func backwardNamesMatchTheDerivativeRules() {
        for kind in OpKind.allCases {
            let hasRule = VJPRules.rule(for: kind) != nil
            #expect(kind.definition.isDifferentiable == hasRule,
                    "\(kind.name): VJP rule \(hasRule ? "exists" : "missing") but grad name is \(kind.definition.gradFunction ?? "nil")")
        }
    }

    /// One spelling names one op: the evaluator resolves names and operators from them.
    @Test func spellingsAreUnique() {
        var owner: [Spelling: OpKind] = [:]
        for kind in OpKind.allCases {
            for spelling in kind.definition.spellings {
                if case .phrase = spelling { continue }
                #expect(owner[spelling] == nil, "\(spelling) spells both \(owner[spelling].map(\.name) ?? "") and \(kind.name)")
                owner[spelling] = kind
            }
        }
    }

    /// An op the memory plan aliases keeps its operand's elements and dtype.
    @Test func aliasingOpsKeepTheirOperandsElements() throws {
        for kind in OpKind.allCases where kind.definition.aliasesOperand {
            #expect(kind.arity == 1)
            var attrs = Attributes()
            attrs.shape = [6]
            let type = try kind.definition.inferType([TensorType([2, 3], .float32)], attrs)
            #expect(type.count == 1 && type[0].elementCount == 6 && type[0].dtype == .float32, "\(kind.name)")
        }
    }

    /// Elementwise ops keep their operand's shape, broadcasting ones broadcast, and only
    /// fixed-arity ops are fused.
    @Test func fusionClassesAgreeWithTheTypeRules() throws {
        for kind in OpKind.allCases {
            let def = kind.definition
            var attrs = Attributes()
            attrs.dtype = .float32
            attrs.low = -1   // clamp needs a bound; no other op reads it
            switch def.fusion {
            case .elementwise:
                #expect(def.arity == 1, "\(kind.name)")
                let type = try def.inferType([TensorType([2, 3], .float32)], attrs)
                #expect(type[0].shape == [2, 3], "\(kind.name)")
            case .broadcast:
                let arity = try #require(def.arity, "\(kind.name)")
                let operands = (0..<arity).map { $0 == 0 && kind == .select ? TensorType([3, 1], .bool) : TensorType($0 % 2 == 0 ? [3, 1] : [4], .float32) }
                #expect(try def.inferType(operands, attrs)[0].shape == [3, 4], "\(kind.name)")
            case .indexMap, .reduction, .gatherScatter, .outEpilogue:
                #expect(def.arity != nil, "\(kind.name)")
            case .source:
                #expect(def.arity == 0, "\(kind.name)")
            case .opaque, .control:
                break
            }
        }
    }

    @Test func messagesUseTheLanguagesSpelling() {
        #expect(OpKind.argMax.definition.surfaceName == "argmax()")
        #expect(OpKind.lessEqual.definition.surfaceName == "<=")
        #expect(OpKind.stopGradient.definition.surfaceName == "detach()")
        #expect(OpKind.broadcastTo.definition.surfaceName == "broadcast_to")
        #expect(OpKind.elementwiseFunctions(arity: 1)["exp"] == .exp)
        #expect(OpKind.elementwiseFunctions(arity: 2)["maximum"] == .maximum)
        #expect(OpKind.elementwiseFunctions(arity: 2)["matmul"] == nil, "matmul is not elementwise")
    }
}
