import Testing
import TGCBase
@testable import TGCSyntax

@Suite struct StatementTests {
    static let tutorial = #"""
    manualSeed(42)
    let X = randn([100, 1])
    let yTrue = 3 * X + 2 + randn([100, 1]) * 0.5
    var w = randn([1], requiresGrad: true)
    var b = randn([1], requiresGrad: true)
    let learningRate = 0.01
    for epoch in 0..<100 {
        let yPred = w * X + b
        let loss = ((yPred - yTrue) ** 2).mean()
        loss.backward()
        noGrad {
            w -= learningRate * w.grad
            b -= learningRate * b.grad
        }
        w.grad.zero()
        b.grad.zero()
        if (epoch + 1) % 10 == 0 {
            print("Epoch \(epoch + 1): Loss = \(loss.item(), precision: 4), w = \(w.item(), precision: 4)")
        }
    }
    """#

    @Test func tutorialProgram() throws {
        let program = try parse(Self.tutorial)
        #expect(program.statements.count == 7)
        guard case .forIn(let pattern, let sequence, let body) = program.statements[6].kind else {
            Issue.record("expected a for loop")
            return
        }
        #expect(Render.pattern(pattern) == "epoch" && Render.expr(sequence) == "(0 ..< 100)")
        #expect(body.map(Render.stmt) == [
            "let yPred = ((w * X) + b)",
            "let loss = ((yPred - yTrue) ** 2).mean()",
            "loss.backward()",
            "noGrad() { w -= (learningRate * w.grad); b -= (learningRate * b.grad) }",
            "w.grad.zero()",
            "b.grad.zero()",
            #"if (((epoch + 1) % 10) == 0) { print("Epoch \((epoch + 1)): Loss = \(loss.item(), precision: 4), w = \(w.item(), precision: 4)") }"#,
        ])
        #expect(program.statements[3].location.line == 4 && program.statements[6].location.line == 7)
        if case .binding(let isMutable, _, _, _) = program.statements[3].kind { #expect(isMutable) }
    }

    @Test func bindings() throws {
        #expect(try rendered("let x = 1; var y: Tensor = f(); var z: [Int]; let (a, (b, _)) = t; let _ = g()")
                == "let x = 1 | var y: Tensor = f() | var z: [Int] | let (a, (b, _)) = t | let _ = g()")
        #expect(try rendered("let p: (Tensor, [[Float]]) = q; var o: Int? = nil; let (c) = 1")
                == "let p: (Tensor, [[Float]]) = q | var o: Int? = nil | let c = 1")
        #expect(try rendered("let g: Array<Swift.Int> = h") == "let g: Array<Swift.Int> = h")
        guard case .binding(_, .tuple(let elements, let loc), _, _) = try parse("let (dw, db) = grad(of: loss, wrt: w, b)").statements[0].kind else {
            Issue.record("expected a tuple pattern")
            return
        }
        #expect(elements.count == 2 && loc.column == 5)
    }

    @Test func assignments() throws {
        #expect(try rendered("x = 1; x.requiresGrad = true; w -= lr * w.grad; a[0] += 1; s *= 2; t /= 3; u %= 4")
                == "x = 1 | x.requiresGrad = true | w -= (lr * w.grad) | a[0] += 1 | s *= 2 | t /= 3 | u %= 4")
        #expect(try rendered("(a, b) = (b, a); _ = f()") == "tuple(a, b) = tuple(b, a) | _ = f()")
    }

    @Test func loops() throws {
        #expect(try rendered("for _ in 1...3 { break }") == "for _ in (1 ... 3) { break }")
        #expect(try rendered("for (i, (x, y)) in pairs { continue }") == "for (i, (x, y)) in pairs { continue }")
        #expect(try rendered("while i < 10 {\n  i += 1\n}") == "while (i < 10) { i += 1 }")
    }

    @Test func ifElseChains() throws {
        let program = try parse("if a { x() } else if b { y() } else { z() }")
        #expect(program.statements.count == 1)
        guard case .ifElse(_, _, let elseBody?) = program.statements[0].kind, elseBody.count == 1,
              case .ifElse(let c, let then, let last?) = elseBody[0].kind else {
            Issue.record("else-if must be a nested ifElse as the sole else statement")
            return
        }
        #expect(Render.expr(c) == "b" && Render.block(then) == "y()" && Render.block(last) == "z()")
        #expect(elseBody[0].location.column == 19)
        #expect(try rendered("if a {\n} \nelse {\n  b()\n}") == "if a {  } else { b() }")
        #expect(try rendered("if a { }") == "if a {  }")
    }

    @Test func structs() throws {
        let source = """
        struct MLP: Module {
            let fc1 = Linear(3, 4)
            var fc2: Linear; let layers: [Linear]
            init(hidden h: Int) {
                fc2 = Linear(4, h)
                self.layers = [fc2]
            }
            func callAsFunction(_ x: Tensor) -> Tensor { fc2(fc1(x)) }
            func helper() -> Int { return 1 }
        }
        struct Empty: A, B { }
        """
        #expect(try parse(source).statements.map(Render.stmt) == [
            "struct MLP: Module { let fc1 = Linear(3, 4); var fc2: Linear; let layers: [Linear]; "
                + "func init(hidden h: Int) { fc2 = Linear(4, h); self.layers = [fc2] }; "
                + "func callAsFunction(_ x: Tensor) -> Tensor { fc2(fc1(x)) }; func helper() -> Int { return 1 } }",
            "struct Empty: A, B {  }",
        ])
        for (bad, message) in [("struct { }", "expected a type name after 'struct'"),
                               ("struct S: Module { print(1) }", "expected 'let', 'var', 'init' or 'func' in 'struct S'"),
                               ("struct S: Module { let x }", "a stored property needs a type annotation or '=' and a default value"),
                               ("struct S: Module {\n init() { }\n init() { }\n}", "'S' has a second 'init'"),
                               ("struct S: Module { let x = 1", "expected '}'")] {
            #expect(throws: (any Error).self, "\(bad)") { try parse(bad) }
            do { _ = try parse(bad) } catch let error as Diagnostic { #expect(error.message.contains(message), "\(bad): \(error.message)") } catch {}
        }
    }

    @Test func functions() throws {
        let source = """
        func scaled(_ x: Tensor, scale s: Float = 1.0, y: Tensor) -> Tensor {
            return x * s + y
        }
        func nothing() { return }
        func pair(a: Int) -> (Tensor, Tensor) { return (a, a) }
        """
        let program = try parse(source)
        #expect(program.statements.map(Render.stmt) == [
            "func scaled(_ x: Tensor, scale s: Float = 1.0, y: Tensor) -> Tensor { return ((x * s) + y) }",
            "func nothing() { return }",
            "func pair(a: Int) -> (Tensor, Tensor) { return tuple(a, a) }",
        ])
        guard case .function(let f) = program.statements[0].kind else { Issue.record("not a func"); return }
        #expect(f.parameters.map(\.label) == ["_", "scale", nil])
        #expect(f.parameters.map(\.callLabel) == [nil, "scale", "y"])
        #expect(f.parameters[1].location.column == 26)
    }

    @Test func bareReturn() throws {
        #expect(try rendered("func f() {\n  return\n  g()\n}") == "func f() { return; g() }")
        #expect(try rendered("func f() { return; }") == "func f() { return }")
        #expect(try rendered("func f() -> Int { return -1 }") == "func f() -> Int { return (-1) }")
    }

    @Test func closuresHoldStatements() throws {
        #expect(try rendered("apply { x in\n  let y = x * 2\n  return y\n}") == "apply() { x in let y = (x * 2); return y }")
    }

    @Test func emptyAndCommentOnlyPrograms() throws {
        #expect(try parse("").statements.isEmpty)
        #expect(try parse("\n\n// nothing\n/* here */\n;;").statements.isEmpty)
        #expect(try parse("x\r\ny\rz\t; w; v\u{0B}").statements.count == 5)
    }

    /// Mutations of a real program must parse or throw a Diagnostic, never trap.
    @Test func mutatedProgramsNeverTrap() throws {
        let source = Array(Self.tutorial.unicodeScalars)
        let inserts: [Unicode.Scalar] = ["(", ")", "{", "}", "[", "]", "\"", "\\", ".", "-", "\n", "\r", "\0", "@", "e", "1", ",", ":", "/", "*"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        var diagnostics = 0
        for _ in 0..<2000 {
            var scalars = source
            for _ in 0..<(1 + next(3)) {
                let i = next(scalars.count)
                switch next(3) {
                case 0: scalars.remove(at: i)
                case 1: scalars.insert(inserts[next(inserts.count)], at: i)
                default: scalars[i] = inserts[next(inserts.count)]
                }
            }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars)
            do {
                _ = try parse(String(view))
            } catch let d as Diagnostic {
                diagnostics += 1
                #expect(d.location.line >= 1 && d.location.column >= 1 && !d.message.isEmpty)
            }
        }
        #expect(diagnostics > 500)
    }
}
