import Testing
import TGCBase
@testable import TGCSyntax

@Suite struct LexerTests {
    @Test func keywordsIdentifiersAndPunctuation() throws {
        let tokens = try lex("let x_1 = f(a: b) -> c; var in")
        #expect(tokens.map(\.kind) == [
            .keyword("let"), .identifier("x_1"), .punct("="), .identifier("f"), .punct("("),
            .identifier("a"), .punct(":"), .identifier("b"), .punct(")"), .punct("->"),
            .identifier("c"), .punct(";"), .keyword("var"), .keyword("in"), .eof,
        ])
    }

    @Test func operatorsUseLongestMatch() throws {
        let tokens = try lex("a..<b...c**d==e!=f<=g>=h&&i||j+=k-=l*=m/=n%=o<p>q!r?s")
        let puncts = tokens.compactMap { token -> String? in
            if case .punct(let p) = token.kind { return p }
            return nil
        }
        #expect(puncts == ["..<", "...", "**", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "/=", "%=",
                           "<", ">", "!", "?"])
    }

    @Test func integerLiterals() throws {
        #expect(try lex("42 1_000 0xff 0b101 0o17 0").dropLast().map(\.kind) == [
            .integer(42), .integer(1000), .integer(255), .integer(5), .integer(15), .integer(0),
        ])
    }

    @Test func floatLiterals() throws {
        #expect(try lex("1.0 1e-3 2.5e3 2.5E+3 1_0.2_5 3e2").dropLast().map(\.kind) == [
            .float(1.0), .float(0.001), .float(2500), .float(2500), .float(10.25), .float(300),
        ])
    }

    @Test func rangesAfterIntegersAreNotFloats() throws {
        #expect(try lex("0..<10").map(\.kind) == [.integer(0), .punct("..<"), .integer(10), .eof])
        #expect(try lex("1...3").map(\.kind) == [.integer(1), .punct("..."), .integer(3), .eof])
        #expect(try lex("1.0...2.5").map(\.kind) == [.float(1), .punct("..."), .float(2.5), .eof])
        #expect(try lex("1.description").map(\.kind) == [.integer(1), .punct("."), .identifier("description"), .eof])
    }

    @Test func locationsCountScalarsAndLines() throws {
        let tokens = try lex("let π = 3\n\tx  +  é\n")
        let positions = tokens.map { [$0.location.line, $0.location.column] }
        #expect(positions == [[1, 1], [1, 5], [1, 7], [1, 9], [2, 2], [2, 5], [2, 8], [3, 1]])
        #expect(tokens[4].newlineBefore && !tokens[5].newlineBefore)
        #expect(tokens[0].location.file == "lex.swiftdsl")
    }

    @Test func crlfAndLoneCarriageReturn() throws {
        let crlf = try lex("a\r\nb")
        #expect(crlf[1].location.line == 2 && crlf[1].location.column == 1 && crlf[1].newlineBefore)
        // A lone \r separates statements but keeps SourceText's line numbering (it splits on \n only).
        let lone = try lex("a\rb")
        #expect(lone[1].newlineBefore)
        #expect(lone[1].location.line == 1 && lone[1].location.column == 3)
    }

    @Test func commentsAreSkippedAndNest() throws {
        let tokens = try lex("a // comment ) \n /* outer /* inner */ still comment */ b /* x */ c")
        #expect(tokens.map(\.kind) == [.identifier("a"), .identifier("b"), .identifier("c"), .eof])
        #expect(tokens[1].newlineBefore && !tokens[2].newlineBefore)
        #expect(try lex("a /* \n */ b")[1].newlineBefore)
    }

    @Test func whitespaceFlags() throws {
        let tokens = try lex("a -b - c")
        #expect(tokens[1].spaceBefore && !tokens[1].spaceAfter)
        #expect(tokens[3].spaceBefore && tokens[3].spaceAfter)
        #expect(try lex("x//c")[0].spaceAfter)
    }

    @Test func stringEscapes() throws {
        let tokens = try lex(#""a\nb\t\\\"\0\r\'\u{E9}""#)
        #expect(tokens[0].kind == .string([.text("a\nb\t\\\"\0\r'é")]))
        #expect(try lex(#""""#)[0].kind == .string([]))
    }

    @Test func interpolationIsLexedIntoTokens() throws {
        let tokens = try lex(#""x = \(f(a, "s)")) y""#)
        guard case .string(let segments) = tokens[0].kind, segments.count == 3,
              case .interpolation(let inner, let open) = segments[1] else {
            Issue.record("unexpected tokens \(tokens)")
            return
        }
        #expect(segments[0] == .text("x = "))
        #expect(segments[2] == .text(" y"))
        #expect(open.column == 6)
        #expect(inner.map(\.kind) == [
            .identifier("f"), .punct("("), .identifier("a"), .punct(","), .string([.text("s)")]), .punct(")"), .eof,
        ])
        #expect(tokens.count == 2)
    }

    @Test func multiLineStringStripsClosingIndentation() throws {
        let source = "let s = \"\"\"\n    first\n      second \\(x)\n\n    last\n    \"\"\"\nlet t = 1"
        let tokens = try lex(source)
        guard case .string(let segments) = tokens[3].kind else { Issue.record("not a string: \(tokens[3])"); return }
        #expect(segments.first == .text("first\n  second "))
        #expect(segments.last == .text("\n\nlast"))
        #expect(segments.count == 3)
        if segments.count == 3, case .interpolation(let inner, _) = segments[1] {
            #expect(inner.map(\.kind) == [.identifier("x"), .eof])
        } else {
            Issue.record("expected an interpolation in \(segments)")
        }
        #expect(tokens[4].isKeyword("let") && tokens[4].location.line == 7)
    }

    @Test func emptyInputAndShebang() throws {
        #expect(try lex("").map(\.kind) == [.eof])
        #expect(try lex("   \n\t// only a comment").map(\.kind) == [.eof])
        #expect(try lex("#!/usr/bin/env tgc\nx").map(\.kind) == [.identifier("x"), .eof])
        let bom = try lex("\u{FEFF}let")
        #expect(bom.map(\.kind) == [.keyword("let"), .eof] && bom[0].location.column == 2)
    }

    @Test func hugeSingleLineLexes() throws {
        let line = Array(repeating: "a1", count: 50_000).joined(separator: "; ")
        #expect(try lex(line).count == 100_000)
    }

    @Test(arguments: [
        ("a @ b", "unexpected character '@'", 1, 3),
        ("x = 1\u{0}", "unexpected character U+0000", 1, 6),
        ("\"abc", "unterminated string literal", 1, 1),
        ("x = \"ab\ncd\"", "unterminated string literal", 1, 5),
        ("1.2.3", "invalid number literal '1.2.3'", 1, 1),
        ("x = 12abc", "invalid number literal '12abc'", 1, 5),
        ("0x", "invalid number literal '0x'", 1, 1),
        ("99999999999999999999", "integer literal '99999999999999999999' is too large", 1, 1),
        ("/* open /* nested */", "unterminated '/*' comment", 1, 1),
        ("\"a\\qb\"", "invalid escape sequence '\\q'", 1, 3),
        ("\"a \\(x\"", "unterminated string literal", 1, 1),
        ("\"\"\"\nabc\n", "unterminated multi-line string literal", 1, 1),
        ("\"\"\"\n  a\n b\n  \"\"\"", "insufficient indentation", 3, 1),
        ("\"\"\"abc\n\"\"\"", "multi-line string literal content must begin on a new line", 1, 4),
        ("\"\"\"\nab\"\"\"\n\"\"\"", "closing delimiter must begin on a new line", 2, 3),
        ("x = \"a\\(\"b", "unterminated string literal", 1, 5),
        ("\"\\u{}\"", "invalid unicode escape", 1, 2),
        ("0b102", "invalid number literal '0b102'", 1, 1),
    ])
    func lexicalErrors(source: String, message: String, line: Int, column: Int) throws {
        var lexer = Lexer(text: source)
        do {
            _ = try lexer.tokenize()
            Issue.record("expected an error for \(source.debugDescription)")
        } catch let d as Diagnostic {
            #expect(d.message.contains(message), "\(d.message)")
            #expect(d.location.line == line && d.location.column == column, "\(d.location)")
        }
    }

    @Test func atSignHasAMatmulHint() throws {
        let d = diagnostic("let c = a @ b")
        #expect(d?.notes.contains { $0.contains("'@' is not a Swift operator; use matmul(a, b)") } == true)
        let rendered = d?.render(source: SourceText(path: "test.swiftdsl", text: "let c = a @ b")) ?? ""
        #expect(rendered.hasPrefix("test.swiftdsl:1:11: error: unexpected character '@'\nlet c = a @ b\n          ^"))
    }
}
