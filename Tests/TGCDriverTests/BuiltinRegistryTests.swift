import Testing
import TGCCore
@testable import TGCDriver

/// Name resolution of built-ins (Evaluator/Registry): the families merge without clashes, every
/// property resolves from its one declaration, and names spelled in the op table resolve.
@Suite struct BuiltinRegistryTests {
    @Test func noNameIsDeclaredTwice() {
        #expect(BuiltinRegistry.duplicateNames.isEmpty, "declared twice: \(BuiltinRegistry.duplicateNames)")
        #expect(Set(BuiltinRegistry.families.map(\.name)).count == BuiltinRegistry.families.count)
    }

    @Test func everyDeclarationIsReachable() {
        for family in BuiltinRegistry.families {
            for entry in family.functions { #expect(BuiltinRegistry.functions[entry.name]?.summary == entry.summary, "\(entry.name)") }
            for entry in family.methods { #expect(BuiltinRegistry.methods[entry.name]?.summary == entry.summary, "\(entry.name)") }
        }
        #expect(BuiltinRegistry.families.map(\.name) == ["creation", "conversion", "math", "linear algebra", "shape", "selection", "reduction", "autograd", "nn", "convolution", "loss", "loss modules", "monitoring", "data"])
    }

    @Test func everyPropertyResolvesAndNothingElse() {
        let properties = ["shape", "dtype", "ndim", "count", "device", "isCuda", "requiresGrad", "isLeaf", "grad", "data", "gradFn", "retainsGrad", "T"]
        #expect(Set(BuiltinRegistry.properties.keys) == Set(properties))
        for name in properties { #expect(BuiltinRegistry.isProperty(name), "\(name)") }
        for name in ["sum", "size", "numel", "zero", "length", "values", "t", "shapes", "", "Shape"] {
            #expect(!BuiltinRegistry.isProperty(name), "\(name)")
        }
    }

    @Test func opSpellingsResolve() {
        for arity in [1, 2] {
            for name in OpKind.elementwiseFunctions(arity: arity).keys {
                #expect(BuiltinRegistry.isFunction(name), "\(name)()")
                #expect(BuiltinRegistry.methods[name] != nil, "x.\(name)()")
            }
        }
        for kind in OpKind.allCases {
            for name in kind.definition.methodNames { #expect(BuiltinRegistry.methods[name] != nil, "x.\(name)() (\(kind.name))") }
            if let name = kind.definition.functionName { #expect(BuiltinRegistry.isFunction(name), "\(name)() (\(kind.name))") }
        }
        for name in ["print", "noGrad", "grad", "mean", "std", "dot", "max", "Float", "tensor"] {
            #expect(BuiltinRegistry.isFunction(name), "\(name)")
        }
        #expect(!BuiltinRegistry.isFunction("backward"))
        #expect(BuiltinRegistry.mutatingMethods["zero"] != nil && BuiltinRegistry.methods["zero"] == nil)
    }

    @Test func surfaceBackwardNamesAreDistinctFromEachOtherAndTheOpTable() {
        let surface = SurfaceFunction.allCases.map(\.gradFunction)
        #expect(Set(surface).count == surface.count)
        let own = Set(OpKind.allCases.compactMap(\.definition.gradFunction))
        #expect(own.isDisjoint(with: surface), "a surface variant should use its op kind's own name")
    }
}
