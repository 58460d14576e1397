import Testing
@testable import TGCCBackend
@testable import TGCCore

/// The cross-backend programs together exercise every op kind (gradient must be expanded
/// before any backend sees it, so it is the one exception; fusion comes from FusedKernelTests'
/// programs), and every op lowers.
struct OpCoverageTests {
    @Test func agreementProgramsUseEveryOpKind() throws {
        var used = Set<OpKind>()
        let fused = try CrossBackend.module(source: FusedKernelTests.programs[0].source, name: "coverage")
        let programs = try AgreementPrograms.all().map(\.1) + [try GeneratedProgramTests.program(loadPath: "/unused.npy"), fused]
        for module in programs {
            module.body.walk { used.insert($0.kind) }
        }
        let missing = Set(OpKind.allCases).subtracting(used).subtracting([.gradient])
        #expect(missing.isEmpty, "no cross-backend test uses: \(missing.map(\.name).sorted())")
    }

    @Test func everyAgreementProgramVerifiesAndEmits() throws {
        for (name, module) in try AgreementPrograms.all() {
            try Verifier.verify(module)
            let c = try CEmitter.emit(module, programName: name, description: "")
            #expect(c.contains("static void tgc_program(void)"))
        }
    }
}
