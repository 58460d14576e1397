import Testing
import TGCBase
@testable import TGCSyntax

/// One malformed program: the message substring and the exact line and column it must report.
struct BadProgram: Sendable, CustomTestStringConvertible {
    let source: String
    let message: String
    let line: Int
    let column: Int
    init(_ source: String, _ message: String, _ line: Int, _ column: Int) {
        self.source = source
        self.message = message
        self.line = line
        self.column = column
    }
    var testDescription: String { source.debugDescription }
}

@Suite struct ParserErrorTests {
    static let programs: [BadProgram] = [
        BadProgram("let x = (1 + 2\nlet y = 3", "expected ')' to close '(' at 1:9", 2, 1),
        BadProgram("print(\"abc)\n", "unterminated string literal", 1, 7),
        BadProgram("let c = a @ b", "unexpected character '@'", 1, 11),
        BadProgram("let y = x +\n", "expected expression after '+'", 2, 1),
        BadProgram("let v = 1.2.3", "invalid number literal '1.2.3'", 1, 9),
        BadProgram("let a = 1 let b = 2", "consecutive statements on a line must be separated by ';'", 1, 11),
        BadProgram("let t = a < b < c", "comparison operators cannot be chained", 1, 15),
        BadProgram("let r = 1..<2..<3", "range operators cannot be chained", 1, 14),
        BadProgram("f(a, b", "expected ')' to close '(' at 1:2", 1, 7),
        BadProgram("let z = [1, 2\nx", "expected ']' to close '[' at 1:9", 2, 1),
        BadProgram("if x > 0 {\n  y()\n", "expected '}' to close '{' at 1:10", 3, 1),
        BadProgram("let q = .5", "'.5' is not a valid floating point literal; it must be written '0.5'", 1, 9),
        BadProgram("for i 0..<10 { }", "expected 'in' after the pattern of a 'for' loop", 1, 7),
        BadProgram("let = 3", "expected a name, '_' or '(' to start a pattern, found '='", 1, 5),
        BadProgram("func (x: Tensor) { }", "expected a function name after 'func'", 1, 6),
        BadProgram("x = y = 3", "assignment is only allowed as a statement", 1, 7),
        BadProgram("f(x = 1)", "assignment is only allowed as a statement", 1, 5),
        BadProgram("print(\"x is \\(x, )\")", "expected expression after ','", 1, 18),
        BadProgram("print(\"\\(1 +)\")", "expected expression after '+'", 1, 13),
        BadProgram("print(\"\\()\")", "expected expression in string interpolation", 1, 10),
        BadProgram("x()\n}", "extraneous '}' at top level", 2, 1),
        BadProgram("else { }", "'else' must follow the closing '}' of an 'if' statement", 1, 1),
        BadProgram("if { }", "expected condition after 'if', found '{'", 1, 4),
        BadProgram("while\n{ }", "expected condition after 'while'", 2, 1),
        BadProgram("3 = x", "cannot assign to this expression", 1, 1),
        BadProgram("a + b += 1", "cannot assign to this expression", 1, 3),
        BadProgram("let x", "expected a type annotation or '=' and an initial value in 'let' declaration", 1, 6),
        BadProgram("var x", "expected a type annotation or '=' and an initial value", 1, 6),
        BadProgram("f(_)", "'_' can only appear in a pattern or on the left side of an assignment", 1, 3),
        BadProgram("y = x.\n", "expected member name after '.'", 2, 1),
        BadProgram("foo(a: )", "expected expression after 'a:'", 1, 8),
        BadProgram("let (a, b = t", "expected ')' to close '(' at 1:5", 1, 11),
        BadProgram("let a = 1\n  b c", "consecutive statements on a line must be separated by ';'", 2, 5),
        BadProgram("let a = 1, b = 2", "declare one name per 'let'", 1, 10),
        BadProgram("if a { } else b()", "expected '{' after 'else', found 'b'", 1, 15),
        BadProgram("if a\n  b()", "expected '{' after 'if' condition, found 'b'", 2, 3),
        BadProgram("func f(x: Tensor -> Tensor { }", "expected ')' to close '(' at 1:7", 1, 18),
        BadProgram("func f(x:) { }", "expected a type, found ')'", 1, 10),
        BadProgram("let p = (x: 1, y: 2)", "tuple element labels are not supported", 1, 10),
        BadProgram("let d = [\"a\": 1, 2]", "expected ':' after a dictionary key", 1, 19),
        BadProgram("let d = [1, \"a\": 2]", "expected ',' or ']' in an array literal, found ':'", 1, 16),
        BadProgram("let d = [\"a\": ]", "expected expression after ':'", 1, 15),
        BadProgram("f(a))", "unexpected ')' without a matching opening bracket", 1, 5),
        BadProgram("let in = 3", "keyword 'in' cannot be used as a name", 1, 5),
        BadProgram("x = -", "expected expression after '-'", 1, 6),
        BadProgram("let s = (1,)", "expected expression after ','", 1, 12),
        BadProgram("let c = a ? b", "expected ':' after the first branch of '?' at 1:11", 1, 14),
        BadProgram("let a = 1 */ 2", "unexpected end of block comment", 1, 11),
        BadProgram("x = 1\n\t\tlet y = $x", "unexpected character '$'", 2, 11),
        BadProgram("let n = 1e999", "floating-point literal '1e999' is too large", 1, 9),
        BadProgram("f(\"a\\(g(\"b)\")", "unterminated string literal", 1, 3),
        BadProgram("print(x.1e5)", "expected member name after '.', found '1e5'", 1, 9),   // x.0 is a tuple element
        BadProgram("return return", "expected expression after 'return'", 1, 8),
    ]

    @Test(arguments: programs)
    func malformedProgram(_ bad: BadProgram) {
        guard let d = diagnostic(bad.source) else { return }
        #expect(d.message.contains(bad.message), "message was: \(d.message)")
        #expect(d.location.line == bad.line, "location was \(d.location)")
        #expect(d.location.column == bad.column, "location was \(d.location)")
        #expect(d.location.file == "test.swiftdsl")
    }

    @Test func renderedDiagnosticPointsAtTheToken() {
        let text = "let x = 1\nlet y = (x +\n"
        guard let d = diagnostic(text) else { return }
        #expect(d.render(source: SourceText(path: "test.swiftdsl", text: text))
                == "test.swiftdsl:3:1: error: expected expression after '+'\n\n^")
        let tabbed = "\tlet a = b +* c"
        guard let t = diagnostic(tabbed) else { return }
        #expect(t.render(source: SourceText(path: "test.swiftdsl", text: tabbed))
                == "test.swiftdsl:1:13: error: expected expression after '+'\n\tlet a = b +* c\n\t           ^")
    }
}
