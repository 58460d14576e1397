import Testing
import TGCBase
@testable import TGCSyntax

@Suite struct ExpressionTests {
    @Test(arguments: [
        ("a + b * c", "(a + (b * c))"),
        ("a * b + c", "((a * b) + c)"),
        ("a - b - c", "((a - b) - c)"),
        ("a / b / c", "((a / b) / c)"),
        ("a % b * c", "((a % b) * c)"),
        ("a ** b ** c", "(a ** (b ** c))"),
        ("a * b ** c", "(a * (b ** c))"),
        ("a ** b * c", "((a ** b) * c)"),
        ("-x ** 2", "((-x) ** 2)"),
        ("-a * -b", "((-a) * (-b))"),
        ("!a && b", "((!a) && b)"),
        ("- -x", "(-(-x))"),
        ("+x", "(+x)"),
        ("a || b && c", "(a || (b && c))"),
        ("a && b || c && d", "((a && b) || (c && d))"),
        ("a == b && c != d", "((a == b) && (c != d))"),
        ("a + 1 < b * 2", "((a + 1) < (b * 2))"),
        ("0..<n + 1", "(0 ..< (n + 1))"),
        ("1...n * 2", "(1 ... (n * 2))"),
        ("a < b ? x + 1 : y", "((a < b) ? (x + 1) : y)"),
        ("a ? b : c ? d : e", "(a ? b : (c ? d : e))"),
        ("a ? b ? c : d : e", "(a ? (b ? c : d) : e)"),
        ("(a + b) * c", "((a + b) * c)"),
        ("((yPred - yTrue) ** 2).mean()", "((yPred - yTrue) ** 2).mean()"),
        ("-x.sum()", "(-x.sum())"),
        ("3 * X + 2 + randn([100, 1]) * 0.5", "(((3 * X) + 2) + (randn([100, 1]) * 0.5))"),
        ("(epoch + 1) % 10 == 0", "(((epoch + 1) % 10) == 0)"),
        ("a-b", "(a - b)"),
        ("x+-1", "(x + (-1))"),
    ])
    func precedenceAndAssociativity(source: String, expected: String) throws {
        #expect(Render.expr(try parseExpr(source)) == expected)
    }

    @Test func literals() throws {
        #expect(try rendered("42; 1.5; true; false; nil; \"hi\"; [1, 2, 3]; [[1, 2], [3, 4]]; []; [1, 2,]")
                == #"42 | 1.5 | true | false | nil | "hi" | [1, 2, 3] | [[1, 2], [3, 4]] | [] | [1, 2]"#)
        guard case .floatLiteral(let v) = try parseExpr("1e-3").kind else { Issue.record("not a float"); return }
        #expect(v == 0.001)
    }

    @Test func tuplesAndParentheses() throws {
        #expect(try rendered("(a, b); (x); (); ((a, b), c); (a, b,)") == "tuple(a, b) | x | tuple() | tuple(tuple(a, b), c) | tuple(a, b)")
    }

    @Test func callsMembersAndSubscripts() throws {
        #expect(try rendered("f(a, dim: 1, keepDim: true)") == "f(a, dim: 1, keepDim: true)")
        #expect(try rendered("x.sum(dim: 1).T.shape") == "x.sum(dim: 1).T.shape")
        #expect(try rendered("w.grad.zero()") == "w.grad.zero()")
        #expect(try rendered("x[0, 1..<3][i]") == "x[0, (1 ..< 3)][i]")
        #expect(try rendered("f()(1)") == "f()(1)")
    }

    /// Swift's postfix `!` binds to the expression it touches; with a space before it, `!` is
    /// the prefix not of the next operand, and `!=` stays one operator.
    @Test func forceUnwrap() throws {
        #expect(try rendered("w.grad!.sum() * 2") == "(w.grad!.sum() * 2)")
        #expect(try rendered("a.grad! != b") == "(a.grad! != b)")
        #expect(try rendered("a != !b") == "(a != (!b))")
        #expect(try rendered("f(x)![0]") == "f(x)![0]")
    }

    /// Partial ranges and the ellipsis, as subscript elements.
    @Test func partialRangesAndEllipsisInSubscripts() throws {
        #expect(try rendered("x[1...]") == "x[(1...)]")
        #expect(try rendered("x[..<n - 1, ...2]") == "x[(..<(n - 1)), (...2)]")
        #expect(try rendered("x[..., 1]") == "x[(...), 1]")
        #expect(try rendered("x[0, i + 1...]") == "x[0, ((i + 1)...)]")
        #expect(try rendered("f(in: x, for: y)") == "f(in: x, for: y)")
        #expect(try rendered("f(a,\n  b,\n)") == "f(a, b)")
    }

    @Test func implicitMembers() throws {
        #expect(try rendered("tensor([1], dtype: .float32)") == "tensor([1], dtype: .float32)")
        #expect(try rendered("x.to(.cuda)") == "x.to(.cuda)")
        guard case .call(_, let args, _) = try parseExpr("x.to(.cuda)").kind,
              case .implicitMember("cuda") = args.first?.value.kind else {
            Issue.record("expected an implicit member argument")
            return
        }
    }

    @Test func trailingClosures() throws {
        #expect(try rendered("noGrad {\n  w -= lr * w.grad\n}") == "noGrad() { w -= (lr * w.grad) }")
        #expect(try rendered("f(x) { a, b in a + b }") == "f(x) { a, b in (a + b) }")
        #expect(try rendered("xs.map { (v) in v * 2 }") == "xs.map() { v in (v * 2) }")
        #expect(try rendered("let g = { x in x }") == "let g = { x in x }")
        #expect(try rendered("let h = { 1 }") == "let h = { 1 }")
        #expect(try rendered("f(x) {}") == "f(x) {  }")
        guard case .call(let callee, let args, let closure) = try parseExpr("noGrad { step() }").kind else {
            Issue.record("expected a call")
            return
        }
        #expect(Render.expr(callee) == "noGrad" && args.isEmpty && closure?.body.count == 1)
    }

    @Test func conditionBracesAreBodiesNotTrailingClosures() throws {
        #expect(try rendered("if x { y() }") == "if x { y() }")
        #expect(try rendered("if f(a) { b }") == "if f(a) { b }")
        #expect(try rendered("while ok { step() }") == "while ok { step() }")
        #expect(try rendered("for i in xs { print(i) }") == "for i in xs { print(i) }")
        #expect(try rendered("if f(g { 1 }) { 2 }") == "if f(g() { 1 }) { 2 }")
        // Inside the body the restriction is lifted again.
        #expect(try rendered("if a { noGrad { b } }") == "if a { noGrad() { b } }")
    }

    @Test func stringInterpolation() throws {
        let source = #"print("Epoch \(epoch + 1): Loss = \(loss.item(), precision: 4)!")"#
        #expect(try rendered(source) == #"print("Epoch \((epoch + 1)): Loss = \(loss.item(), precision: 4)!")"#)
        guard case .call(_, let args, _) = try parseExpr(source).kind,
              case .stringLiteral(let parts) = args.first?.value.kind, parts.count == 5,
              case .interpolation(let inner) = parts[3] else {
            Issue.record("unexpected shape")
            return
        }
        #expect(inner.count == 2 && inner[1].label == "precision")
        #expect(inner[1].location.line == 1 && inner[1].location.column == 50)
        #expect(try rendered(#""a\("b\("c")")""#) == #""a\("b\("c")")""#)
        #expect(try rendered(#""\(f((1 + 2) * 3))""#) == #""\(f(((1 + 2) * 3)))""#)
    }

    @Test func newlineRules() throws {
        // A binary operator starting the next line continues the expression.
        #expect(try rendered("let a = 1\n    + 2\n    * 3") == "let a = (1 + (2 * 3))")
        #expect(try rendered("let a = b\n  && c") == "let a = (b && c)")
        // `-x` at the start of a line is a prefix operator starting a new statement.
        #expect(try rendered("let a = b\n-c") == "let a = b | (-c)")
        // `(` and `[` on a new line do not call or subscript the previous line's expression.
        #expect(try rendered("let a = f\n(b, c)") == "let a = f | tuple(b, c)")
        #expect(try rendered("let a = x\n[1, 2]") == "let a = x | [1, 2]")
        #expect(try rendered("let d = [\"w\": w, \"b\": b * 2,]; let e = [:]") == #"let d = ["w": w, "b": (b * 2)] | let e = [:]"#)
        // `.member` on a new line continues (method chaining).
        #expect(try rendered("let y = x\n    .sum()\n    .mean()") == "let y = x.sum().mean()")
        // Newlines inside brackets are free.
        #expect(try rendered("let m = [\n  [1, 2],\n  [3, 4]\n]") == "let m = [[1, 2], [3, 4]]")
        #expect(try rendered("a = 1; b = 2;; c()") == "a = 1 | b = 2 | c()")
    }

    @Test func locations() throws {
        let e = try parseExpr("a +\n  b * c")
        #expect(e.location.line == 1 && e.location.column == 3)
        guard case .binary(_, _, let rhs) = e.kind else { Issue.record("not binary"); return }
        #expect(rhs.location.line == 2 && rhs.location.column == 5)
        let call = try parseExpr("  (a + b).sum(dim: 1)")
        #expect(call.location.column == 3)
        let unary = try parse("x; -y").statements[1]
        #expect(unary.location.column == 4)
        #expect(try parseExpr("-y ** 2").location.column == 4)
        let program = try parse("let q = 1\n  x.y = 2")
        #expect(program.statements[1].location.line == 2 && program.statements[1].location.column == 3)
    }

    @Test func nestingUpToTheLimitParses() throws {
        let depth = Parser.maxDepth
        let source = String(repeating: "(", count: depth) + "x" + String(repeating: ")", count: depth)
        #expect(Render.expr(try parseExpr(source)) == "x")
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(try parse(arrays).statements.count == 1)
    }

    @Test func deepNestingIsADiagnosticNotACrash() throws {
        for source in [
            String(repeating: "(", count: 20_000) + "x" + String(repeating: ")", count: 20_000),
            String(repeating: "[", count: 20_000),
            String(repeating: "-", count: 20_000) + "x",
            String(repeating: "- ", count: 20_000) + "x",
            String(repeating: "{", count: 20_000),
            "x" + String(repeating: " ** x", count: 20_000),
            "x" + String(repeating: " + x", count: 20_000),
            "x" + String(repeating: ".a", count: 20_000),
            "f" + String(repeating: "()", count: 20_000),
            String(repeating: "a ? b : ", count: 20_000) + "c",
            String(repeating: "if a {", count: 20_000),
            "if a {} " + String(repeating: "else if a {} ", count: 20_000),
            String(repeating: "\"\\(", count: 5_000),
            "let " + String(repeating: "(", count: 20_000),
            "let x: " + String(repeating: "[", count: 20_000),
        ] {
            let d = diagnostic(source)
            #expect(d?.message.contains("nested too deeply") == true, "\(d?.message ?? "") for \(source.prefix(12))")
        }
        let d = diagnostic(String(repeating: "(", count: Parser.maxDepth + 1) + "x" + String(repeating: ")", count: Parser.maxDepth + 1))
        #expect(d?.message == "expression nested too deeply")
        #expect(d?.location.column == Parser.maxDepth + 1)
    }
}
