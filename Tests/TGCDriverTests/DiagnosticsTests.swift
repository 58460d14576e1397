import Foundation
import Testing
@testable import TGCDriver

/// Each malformed program in tests/diagnostics names its expected error on its first line
/// (`// expect: LINE:COL: error: MESSAGE`); `tgc check` and eager mode must both report it there.
@Suite struct DiagnosticsTests {
    static let cases = TestPaths.programs(in: TestPaths.diagnostics)

    /// The expected `LINE:COL` and message substring from the first line.
    static func expectation(_ file: URL) throws -> (position: String, message: String) {
        let text = try String(contentsOf: file, encoding: .utf8)
        let firstLine = text.split(separator: "\n", omittingEmptySubsequences: false).first ?? ""
        let prefix = "// expect: "
        guard firstLine.hasPrefix(prefix), let range = firstLine.range(of: ": error: ") else {
            Issue.record("\(file.lastPathComponent) lacks a '// expect: LINE:COL: error: MESSAGE' first line")
            return ("", "")
        }
        return (String(firstLine[firstLine.index(firstLine.startIndex, offsetBy: prefix.count)..<range.lowerBound]),
                String(firstLine[range.upperBound...]))
    }

    @Test func enoughCases() {
        #expect(Self.cases.count >= 20)
    }

    @Test(arguments: cases)
    func checkReportsTheError(_ file: URL) throws {
        let (position, message) = try Self.expectation(file)
        let error = #expect(throws: (any Error).self) { try Pipeline.check(file.path) }
        let rendered = error.map { Pipeline.render($0, path: file.path) } ?? ""
        #expect(rendered.hasPrefix("\(file.path):\(position): error: "), "got: \(rendered)")
        #expect(rendered.contains(message), "got: \(rendered)")
        #expect(rendered.contains("^"), "a caret under the column")
    }

    @Test(arguments: cases)
    func eagerModeReportsTheSameError(_ file: URL) throws {
        let (position, message) = try Self.expectation(file)
        let error = #expect(throws: (any Error).self) { _ = try Pipeline.eagerOutput(of: file.path) }
        let rendered = error.map { Pipeline.render($0, path: file.path) } ?? ""
        #expect(rendered.hasPrefix("\(file.path):\(position): error: "), "got: \(rendered)")
        #expect(rendered.contains(message), "got: \(rendered)")
    }
}
