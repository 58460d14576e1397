import Testing
import TGCBase
@testable import TGCCore

/// IR-in / IR-out tests for each pass, including what each pass must leave alone.
/// The verifier runs after every pass.
@Suite struct PassTests {
    let at = SourceLocation.unknown

    func constant(_ b: GraphBuilder, _ value: Double, _ shape: [Int] = [], _ dtype: DType = .float32) throws -> ValueID {
        try b.full(shape, value, dtype, at: at)
    }

    func random(_ b: GraphBuilder, _ shape: [Int]) throws -> ValueID {
        var attrs = Attributes()
        attrs.shape = shape
        attrs.dtype = .float32
        return try b.apply1(.randNormal, [], attrs, at: at)
    }

    func printOp(_ b: GraphBuilder, _ values: [ValueID]) throws {
        var attrs = Attributes()
        attrs.printSegments = values.indices.map { .tensor(operand: $0, suffix: nil) }
        _ = try b.apply(.print, values, attrs, at: at)
    }

    /// Runs one pass, verifies, and returns the IR text without locations.
    func run(_ pass: String, _ b: GraphBuilder) throws -> String {
        try PassPipeline.pass(named: pass)!.run(b.module)
        try Verifier.verify(b.module, after: pass)
        return IRPrinter.print(b.module, locations: false)
    }

    /// The lines the module prints when the interpreter runs it.
    func interpret(_ b: GraphBuilder) throws -> [String] {
        let context = RunContext()
        var output = ""
        context.write = { output += $0 }
        try ModuleRunner.run(b.module, context: context)
        return RunContext.lines(of: output)
    }

    @Test func canonicalizeFoldsConstants() throws {
        let b = GraphBuilder()
        let product = try b.apply1(.mul, [try constant(b, 2), try constant(b, 3)], at: at)
        try printOp(b, [product])
        #expect(try run("canonicalize", b) == """
        module {
          %0 = constant {value = 6, shape = [], dtype = float32} : f32[]
          print %0 {format = "{0}"}
        }

        """)
    }

    @Test func foldingAndCSEKeepTheSignOfZero() throws {
        let b = GraphBuilder()
        var attrs = Attributes()
        attrs.data = [-1, 2, -3]
        attrs.shape = [3]
        attrs.dtype = .float32
        let c = try b.apply1(.constant, [], attrs, at: at)
        let product = try b.apply1(.mul, [c, try constant(b, 0)], at: at)        // [-0, 0, -0]
        let negativeZero = try b.apply1(.neg, [try constant(b, 0, [3])], at: at)  // [-0, -0, -0]
        try printOp(b, [product, negativeZero, try constant(b, 0, [3])])
        let folded = try run("canonicalize", b)
        #expect(folded.contains("data = [-0.0, 0, -0.0]"), "mixed signs are not a splat: \(folded)")
        let merged = try run("cse", b)
        #expect(merged.contains("value = -0.0") && merged.contains("value = 0,"), "-0.0 and 0.0 stay two constants: \(merged)")
    }

    @Test func canonicalizeRemovesExactIdentitiesOnly() throws {
        let b = GraphBuilder()
        let x = try random(b, [3])
        let timesOne = try b.apply1(.mul, [x, try constant(b, 1)], at: at)
        let plusZero = try b.apply1(.add, [x, try constant(b, 0)], at: at)
        let broadcastByOne = try b.apply1(.mul, [x, try constant(b, 1, [2, 3])], at: at)
        try printOp(b, [timesOne, plusZero, broadcastByOne])
        let ir = try run("canonicalize", b)
        #expect(!ir.contains(" mul %0, %1 : f32[3]"), "x * 1 is x")
        #expect(ir.contains("add %0"), "x + 0 differs from x for x = -0.0, so it stays")
        #expect(ir.contains("mul %0") && ir.contains(": f32[2, 3]"), "x * ones([2, 3]) broadcasts, so it stays")
        #expect(ir.contains("print %0, "), "uses of x * 1 now use x")
    }

    @Test func canonicalizeMergesReshapeAndTransposeChains() throws {
        let b = GraphBuilder()
        let x = try random(b, [2, 3])
        let flat = try b.reshape(x, to: [6], at: at)
        let back = try b.reshape(flat, to: [3, 2], at: at)
        let t1 = try b.transpose(x, permutation: [1, 0], at: at)
        let t2 = try b.transpose(t1, permutation: [1, 0], at: at)
        try printOp(b, [back, t2])
        #expect(try run("canonicalize", b) == """
        module {
          %0 = rand_normal {shape = [2, 3], dtype = float32} : f32[2, 3]
          %1 = reshape %0 {shape = [3, 2]} : f32[3, 2]
          print %1, %0 {format = "{0}{1}"}
        }

        """)
    }

    @Test func canonicalizeNeverFoldsRandomOrEffects() throws {
        let b = GraphBuilder()
        let x = try random(b, [2])
        let y = try b.apply1(.exp, [x], at: at)
        try printOp(b, [y])
        let ir = try run("canonicalize", b)
        #expect(ir.contains("rand_normal") && ir.contains("exp %0"))
    }

    @Test func cseMergesIdenticalPureOpsButNotRandomDraws() throws {
        let b = GraphBuilder()
        let x = try random(b, [3])
        let y = try random(b, [3])
        let a = try b.apply1(.mul, [x, y], at: at)
        let c = try b.apply1(.mul, [x, y], at: at)
        try printOp(b, [try b.apply1(.add, [a, c], at: at)])
        let ir = try run("cse", b)
        #expect(ir.components(separatedBy: "rand_normal").count == 3, "two draws stay two draws")
        #expect(ir.components(separatedBy: " mul ").count == 2, "one mul is left")
        #expect(ir.contains("add %2, %2"))
    }

    @Test func cseDoesNotMergeAcrossSiblingBranches() throws {
        let b = GraphBuilder()
        let x = try random(b, [2])
        let condition = try b.apply1(.greater, [try b.reshape(try b.reduceSum(x, axes: [0], keepDim: false, at: at), to: [], at: at), try constant(b, 0)], at: at)
        _ = try b.branch(condition, carrying: [], at: at, then: { _ in
            try printOp(b, [try b.apply1(.exp, [x], at: at)]); return []
        }, else: { _ in
            try printOp(b, [try b.apply1(.exp, [x], at: at)]); return []
        })
        let ir = try run("cse", b)
        #expect(ir.components(separatedBy: "exp %0").count == 3, "each branch keeps its own exp")
    }

    @Test func dceRemovesUnusedPureOpsAndKeepsEffects() throws {
        let b = GraphBuilder()
        let x = try random(b, [2])
        _ = try random(b, [4])
        _ = try b.apply1(.exp, [x], at: at)
        try printOp(b, [x])
        let ir = try run("dce", b)
        #expect(!ir.contains("exp"))
        #expect(ir.components(separatedBy: "rand_normal").count == 3, "an unused draw still advances the stream")
    }

    @Test func loopSimplifyHoistsInvariantsAndDropsInvariantState() throws {
        let b = GraphBuilder()
        let zero = try constant(b, 0, [1])
        let x = try random(b, [1])
        let results = try b.loop(0..<10, carrying: [zero, x], at: at) { index, carried in
            let scale = try self.constant(b, 0.5)
            let noise = try self.random(b, [1])
            let next = try b.apply1(.add, [try b.apply1(.mul, [carried[1], scale], at: self.at), noise], at: self.at)
            return [zero, next]
        }
        try printOp(b, results)
        let ir = try run("loop-simplify", b)
        let loopLine = ir.split(separator: "\n").first { $0.contains(" for ") } ?? ""
        #expect(loopLine.components(separatedBy: " = %").count == 2, "only one value stays carried: \(loopLine)")
        let beforeLoop = ir.components(separatedBy: " for ")[0]
        #expect(beforeLoop.contains("value = 0.5"), "the constant is hoisted")
        #expect(beforeLoop.components(separatedBy: "rand_normal").count == 2, "only the draw before the loop is outside it")
        #expect(ir.components(separatedBy: " for ")[1].contains("rand_normal"), "a draw in the body stays in the body")
    }

    @Test func autodiffExpandsGradientOps() throws {
        let b = GraphBuilder()
        let x = try random(b, [3])
        let y = try b.reduceSum(try b.apply1(.mul, [x, x], at: at), axes: [0], keepDim: false, at: at)
        let g = try b.gradient(of: y, seed: nil, wrt: [x], at: at)
        try printOp(b, g)
        let ir = try run("autodiff", b)
        #expect(!ir.contains("gradient"))
        #expect(ir.contains("broadcast_to"), "the adjoint of the sum broadcasts the seed")
    }

    @Test func autodiffUnrollsALoopOnTheGradientPath() throws {
        let b = GraphBuilder()
        let x = try constant(b, 1.5, [1])
        // x squared three times: x^8, whose derivative is 8 x^7 = 136.6875 at 1.5.
        let result = try b.loop(0..<3, carrying: [x], at: at) { _, carried in [try b.apply1(.mul, [carried[0], carried[0]], at: self.at)] }
        let g = try b.gradient(of: try b.reshape(result[0], to: [], at: at), seed: nil, wrt: [x], at: at)
        try printOp(b, g)
        let ir = try run("autodiff", b)
        #expect(!ir.contains(" for "), "the loop on the gradient path is unrolled")
        let lines = try interpret(b)
        #expect(lines == ["tensor([136.6875])"])
    }

    @Test func autodiffGivesABranchAnAdjointBranch() throws {
        for (threshold, expected) in [(0.0, "tensor([3.])"), (5.0, "tensor([1.])")] {
            let b = GraphBuilder()
            let x = try constant(b, 1.5, [1])
            // if x > threshold { x * x } else { x }: the derivative is 2x = 3 or 1.
            let condition = try b.reshape(try b.apply1(.greater, [x, try constant(b, threshold, [1])], at: at), to: [], at: at)
            let result = try b.branch(condition, carrying: [x], at: at,
                                      then: { carried in [try b.apply1(.mul, [carried[0], carried[0]], at: self.at)] },
                                      else: { carried in carried })
            let g = try b.gradient(of: try b.reshape(result[0], to: [], at: at), seed: nil, wrt: [x], at: at)
            try printOp(b, g)
            let ir = try run("autodiff", b)
            #expect(!ir.contains("gradient"))
            #expect(ir.components(separatedBy: " if ").count == 3, "the forward if and its adjoint")
            let lines = try interpret(b)
            #expect(lines == [expected])
        }
    }

    @Test func autodiffExportsARandomDrawOfABranchInsteadOfDrawingAgain() throws {
        let b = GraphBuilder()
        let x = try constant(b, 2, [1])
        let condition = try b.reshape(try b.apply1(.greater, [x, try constant(b, 0, [1])], at: at), to: [], at: at)
        // if x > 0 { x * r } with r drawn in the branch: the derivative is r = y / 2.
        let y = try b.branch(condition, carrying: [x], at: at,
                             then: { carried in [try b.apply1(.mul, [carried[0], try self.random(b, [1])], at: self.at)] },
                             else: { carried in carried })[0]
        let g = try b.gradient(of: try b.reshape(y, to: [], at: at), seed: nil, wrt: [x], at: at)
        try printOp(b, [try b.apply1(.sub, [try b.apply1(.mul, [g[0], try constant(b, 2, [1])], at: at), y], at: at)])
        let ir = try run("autodiff", b)
        #expect(ir.components(separatedBy: "rand_normal").count == 2, "the draw is not repeated")
        let lines = try interpret(b)
        #expect(lines == ["tensor([0.])"])
    }

    @Test func autodiffLeavesLoopsOffTheGradientPathAlone() throws {
        let b = GraphBuilder()
        let x = try random(b, [2])
        let counted = try b.loop(0..<4, carrying: [try constant(b, 0, [2])], at: at) { _, carried in
            [try b.apply1(.add, [carried[0], try self.constant(b, 1, [2])], at: self.at)]
        }
        let loss = try b.reduceSum(try b.apply1(.mul, [x, counted[0]], at: at), axes: [0], keepDim: false, at: at)
        try printOp(b, try b.gradient(of: loss, seed: nil, wrt: [x], at: at))
        #expect(try run("autodiff", b).contains(" for "), "the loop feeds the loss but not from x: it stays a loop")
    }

    @Test func autodiffRejectsALoopTooLongToUnroll() throws {
        let b = GraphBuilder()
        let x = try random(b, [1])
        let result = try b.loop(0..<200_000, carrying: [x], at: at) { _, carried in [try b.apply1(.mul, [carried[0], carried[0]], at: self.at)] }
        let g = try b.gradient(of: try b.reshape(result[0], to: [], at: at), seed: nil, wrt: [x], at: SourceLocation(file: "m", line: 4, column: 2))
        try printOp(b, g)
        #expect(throws: Diagnostic.self) { try PassPipeline.pass(named: "autodiff")!.run(b.module) }
    }

    @Test func verifierRejectsUseBeforeDefinition() throws {
        let b = GraphBuilder()
        let x = try random(b, [2])
        let y = try b.apply1(.exp, [x], at: at)
        b.module.body.ops.swapAt(0, 1)
        _ = y
        #expect(throws: VerifierError.self) { try Verifier.verify(b.module) }
    }

    @Test func verifierRejectsWrongResultTypes() throws {
        let b = GraphBuilder()
        let x = try random(b, [2])
        let op = b.module.makeOp(.exp, [b.value(x)], resultTypes: [TensorType([3], .float32)], at: at)
        b.module.body.ops.append(op)
        #expect(throws: VerifierError.self) { try Verifier.verify(b.module) }
    }
}
