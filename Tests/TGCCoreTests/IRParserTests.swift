import Testing
import TGCBase
@testable import TGCCore

/// The IR text parser: what the printer writes comes back unchanged (all data, every print
/// segment kind, escapes, locations), and bad text is an error at its line and column, never a crash.
@Suite struct IRParserTests {
    func parse(_ text: String) throws -> Module { try IRParser.parse(text, fileName: "t.tgir") }

    @Test func everyOpKindHasAPrintedNameThatParsesBack() {
        let regionKinds: Set<OpKind> = [.forLoop, .ifElse, .fusion]
        for kind in OpKind.allCases where !regionKinds.contains(kind) {
            #expect(IRParser.kindsByName[IRPrinter.opName(kind)] == kind, "\(kind)")
        }
        #expect(IRParser.kindsByName.count == OpKind.allCases.count - regionKinds.count)
    }

    @Test func constantDataRoundTripsInFullAndExactly() throws {
        let data: [Double] = [0.1, 1.0 / 3, -0.0, 0, 1e-300, 5e-324, 1e20, -2.5, .infinity, -.infinity, 7, 8, 9, 10, 11, 12]
        let module = Module()
        var attributes = Attributes()
        (attributes.data, attributes.shape, attributes.dtype) = (data, [16], .float32)
        let constant = module.makeOp(.constant, [], resultTypes: [TensorType([16], .float32)], attributes: attributes, at: .unknown)
        module.body.ops = [constant, module.makeOp(.save, [constant.result], resultTypes: [], attributes: Attributes(path: "a.npy"), at: .unknown)]
        let text = IRPrinter.print(module)
        #expect(text.contains("data = [0.1, 0.3333333333333333, -0.0, 0, 1e-300, 5e-324, 1e+20, -2.5, inf, -inf, 7, 8, 9, 10, 11, 12]"), "\(text)")
        let parsed = try parse(text).body.ops[0].attributes.data ?? []
        #expect(parsed.map(\.bitPattern) == data.map(\.bitPattern))
        #expect(IRPrinter.print(try parse(text)) == text)
    }

    @Test func everyPrintSegmentKindAndEscapeRoundTrips() throws {
        let segments: [PrintSegment] = [
            .text("a {brace} \"quote\" back\\slash\ttab\nline "), .tensor(operand: 0, suffix: nil),
            .tensor(operand: 0, suffix: "requires_grad=True"), .scalar(operand: 1, precision: nil),
            .scalar(operand: 1, precision: 4), .tensorWithBranchSuffix(operand: 0, condition: 2, ifTrue: "grad_fn=<MulBackward0>", ifFalse: nil),
            .list(operand: 0),
        ]
        let text = """
        module {
          %0 = rand_normal {shape = [2], dtype = float32} : f32[2]
          %1 = constant {value = 1.5, shape = [], dtype = float32} : f32[]
          %2 = constant {value = 1, shape = [], dtype = bool} : bool[]
          print %0, %1, %2 {format = "a \\{brace\\} \\"quote\\" back\\\\slash\\ttab\\nline {0}{0, requires_grad=True}{1!r}{1:.4f}{0, 2 ? grad_fn=<MulBackward0> : -}{0!l}"}
        }

        """
        let module = try parse(text)
        #expect(module.body.ops[3].attributes.printSegments == segments)
        #expect(IRPrinter.print(module) == text)
    }

    @Test func printTerminatorRoundTrips() throws {
        let text = """
        module {
          print {format = "a", terminator = " \\n\\t"}
          print {format = "b"}
        }

        """
        let module = try parse(text)
        #expect(module.body.ops[0].attributes.terminator == " \n\t")
        #expect(module.body.ops[1].attributes.terminator == nil)
        #expect(IRPrinter.print(module) == text)
    }

    @Test func regionsBlockArgumentsArenaAndLocationsRoundTrip() throws {
        let text = """
        module {
          %0 = constant {value = 0, shape = [2], dtype = float32, arena = [0, 8]} : f32[2]  // 3:9
          %1 = for %2 in -2..<3 carrying (%3 = %0) : f32[2] {arena = [64, 8]} {  // 4:1
            %4 = cast %2 {dtype = float32} : f32[]  // 5:13
            %5 = add %3, %4 : f32[2]  // 5:9
            yield %5  // 4:1
          }
          %6 = reduce_sum %1 {axes = [0], keepDim = true} : f32[1]
          %7 = reshape %6 {shape = []} : f32[]
          %8 = constant {value = 0, shape = [], dtype = float32} : f32[]
          %9 = greater %7, %8 : bool[]
          %10 = if %9 : f32[2] {  // 8:1
            %11 = fusion "fused_neg_exp" (%12 = %1) : f32[2] {
              %13 = neg %12 : f32[2]
              %14 = exp %13 : f32[2]
              yield %14
            }
            yield %11
          } else {
            yield %1
          }
          print %10 {format = "{0}"}  // 12:1
        }

        """
        let module = try parse(text)
        #expect(IRPrinter.print(module) == text)
        let loop = module.body.ops[1]
        #expect(loop.location == SourceLocation(file: IRParser.sourceFile, line: 4, column: 1))
        #expect(loop.attributes.lower == -2 && loop.attributes.upper == 3)
        #expect(loop.regions[0].arguments.map(\.type) == [.scalar(.int64), TensorType([2], .float32)])
        #expect(loop.attributes.arena == [ArenaSlot(offset: 64, bytes: 8)])
        #expect(module.body.ops[2].location == .unknown)
    }

    /// Bad text, the position of the error and a piece of its message.
    static let errorCases: [(text: String, position: String, message: String)] = [
        ("\u{1}garbage", "1:1", "unexpected character"),
        ("module {\n  %0 = frobnicate : f32[]\n}\n", "2:8", "unknown op 'frobnicate'"),
        ("module {\n  %0 = rand_normal {shape = [2], dtype = float32} : f33[2]\n}\n", "2:53", "expected a type"),
        ("module {\n  %0 = exp %9 : f32[2]\n}\n", "2:12", "use of undefined value %9"),
        ("module {\n  print %0 {format = \"{0}\n}\n", "2:22", "unterminated string"),
        ("module {\n  %0 = rand_normal {shape = [2], dtype = float32} : f32[2]\n  %0 = exp %0 : f32[2]\n}\n", "3:3", "defined twice"),
        ("module {\n  %0 = rand_normal {shape = [2], dtype = float32, colour = 3} : f32[2]\n}\n", "2:51", "unknown attribute 'colour'"),
        ("module {\n  %0, %1 = rand_normal {shape = [2], dtype = float32} : f32[2]\n}\n", "2:3", "2 result names but 1 result types"),
        ("module {\n  %0 = rand_normal {shape = [2], dtype = float32} : f32[2]\n  %1 = exp %0 : f32[3]  // 7:1\n}\n", "3:3", "invalid IR: exp"),
        ("module {\n  %0 = rand_normal {shape = [2], dtype = float32} : f32[2]\n  %1 = cast %0 : f32[2]\n}\n", "3:3", "cast needs the attribute 'dtype'"),
        ("module {\n  %0 = rand_normal {shape = [2], dtype = float32} : f32[2]\n  print %0 {format = \"{1}\"}\n}\n", "3:3", "names operand 1"),
        ("module {\n  %0 = constant {data = [1, 2], shape = [3], dtype = float32} : f32[3]\n}\n", "2:3", "2 data elements"),
        ("module {\n  %0 = rand_normal {shape = [2], dtype = float32} : f32[2]\n  %1 = for %2 in 0..<3 carrying (%3 = %0) : f32[2] {\n  }\n}\n", "3:3", "loop arguments, yields and results disagree"),
        ("module {\n  %0 = constant {value = 1, shape = [], dtype = bool} : bool[]\n  if %0 {\n  } else {\n    yield\n  }\n}\n", "3:3", "does not end in yield"),
        ("module {\n  for %0 in 5..<3 {\n    yield\n  }\n}\n", "2:13", "lower bound"),
        ("module {\n  %0 = constant {value = 1, shape = [], dtype = bool} : bool[]\n  loop_exit %0\n}\n", "3:3", "is not in a loop's body"),
        ("module {\n  print {format = \"\\q\"}\n}\n", "2:19", "unknown escape"),
        // Indexing
        ("module {\n  %0 = rand_normal {shape = [4], dtype = float32} : f32[4]\n  %1 = slice %0 : f32[2]\n}\n", "3:3", "slice needs the attribute 'slice'"),
        ("module {\n  %0 = rand_normal {shape = [4], dtype = float32} : f32[4]\n  %1 = slice %0 {slice = [[1, 2]]} : f32[2]\n}\n", "3:26", "[start, step, size] triples"),
        ("module {\n  %0 = rand_normal {shape = [4], dtype = float32} : f32[4]\n  %1 = slice %0 {slice = [[1, 2, 3]]} : f32[3]\n}\n", "3:3", "out of range for a dimension of size 4"),
        ("module {\n  %0 = rand_normal {shape = [4], dtype = float32} : f32[4]\n  %1 = slice %0 {slice = [[1, 2, 2]]} : f32[2]\n  %2 = slice_update %0, %0 {slice = [[1, 2, 2]]} : f32[4]\n}\n", "4:3", "cannot be assigned a value of shape [4]"),
        ("module {\n  %0 = rand_normal {shape = [99999999, 99999999], dtype = float32} : f32[99999999, 99999999]\n}\n", "2:70", "elements"),
        ("module {\n  yield\n  print {format = \"\"}\n}\n", "2:3", "yield must end its block"),
        ("module {\n", "2:1", "expected '}' before the end"),
        ("module {\n}\n}\n", "3:1", "expected the end of the text"),
    ]

    @Test(arguments: errorCases.indices)
    func badTextIsAnErrorAtItsPosition(_ index: Int) {
        let (text, position, message) = Self.errorCases[index]
        do {
            _ = try parse(text)
            Issue.record("no error for case \(index): \(text)")
        } catch let diagnostic as Diagnostic {
            #expect("\(diagnostic.location.line):\(diagnostic.location.column)" == position, "\(diagnostic)")
            #expect(diagnostic.location.file == "t.tgir")
            #expect(diagnostic.message.contains(message), "\(diagnostic)")
        } catch {
            Issue.record("not a diagnostic: \(error)")
        }
    }

    /// Every prefix of a valid module, and the module with each character removed, parses or
    /// fails with a diagnostic (a crash would end the test run).
    @Test func damagedTextNeverCrashes() throws {
        let text = """
        module {
          %0 = constant {data = [1, -2.5], shape = [2], dtype = float32, arena = [[0, 8]]} : f32[2]  // 1:1
          %1 = for %2 in 0..<2 carrying (%3 = %0) : f32[2] {
            %4 = gradient %3, %3 : f32[2]
            yield %4
          }
          print %1, %1 {format = "x\\{ {0:.2f} {0, 1 ? a : -}"}
        }
        """
        let scalars = Array(text.unicodeScalars)
        var diagnostics = 0
        for cut in scalars.indices {
            for damaged in [scalars[..<cut], scalars[..<cut] + scalars[(cut + 1)...]] {
                do {
                    _ = try parse(String(String.UnicodeScalarView(damaged)))
                } catch is Diagnostic {
                    diagnostics += 1
                }
            }
        }
        #expect(diagnostics > scalars.count)
    }

    @Test func deeplyNestedRegionsAreAnErrorNotAStackOverflow() {
        let depth = 10_000
        let text = "module {\n" + (0..<depth).map { "for %\($0) in 0..<1 {\n" }.joined() + String(repeating: "yield\n}\n", count: depth) + "}\n"
        #expect(throws: Diagnostic.self) { try parse(text) }
        do {
            _ = try parse(text)
        } catch let diagnostic as Diagnostic {
            #expect(diagnostic.message == "regions nested more than \(IRParser.maximumNesting) deep")
        } catch {}
        let shallow = "module {\n" + (0..<50).map { "for %\($0) in 0..<1 {\n" }.joined() + String(repeating: "yield\n}\n", count: 50) + "}\n"
        #expect(throws: Never.self) { try parse(shallow) }
    }
}

private extension Attributes {
    init(path: String) {
        self.init()
        self.path = path
    }
}
