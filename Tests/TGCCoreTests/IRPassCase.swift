import Foundation
import Testing
import TGCCore

/// One case of a per-pass IR file (`IRPassCases/PASS.tgir`): input IR and the IR the pass must print.
struct IRPassCase: CustomTestStringConvertible, Sendable {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("IRPassCases")

    let pass: String
    let file: String
    let line: Int
    let summary: String
    let input: String
    /// The text after `// CHECK:`; nil when the case has no such line.
    let expected: String?
    /// A `// distributed: bucket-bytes=N` line: the module is compiled with `--distributed mpi`
    /// and autodiff runs first (the gradient-all-reduce pass reads what it records).
    let distribution: Distribution?

    var testDescription: String { "\(pass).tgir:\(line) \(summary)" }

    /// Every case of every `.tgir` file in the folder, files in name order.
    static let all: [IRPassCase] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".tgir") }.sorted().flatMap { name in
            let path = folder.appendingPathComponent(name).path
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            return cases(in: text, pass: String(name.dropLast(".tgir".count)), file: path)
        }
    }()

    /// Splits a file at `// -----` lines (the text before the first one is its header) and each
    /// case at its `// CHECK:` line.
    static func cases(in text: String, pass: String, file: String) -> [IRPassCase] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let separators = lines.indices.filter { lines[$0] == "// -----" }
        return separators.indices.map { index in
            let start = separators[index] + 1
            let end = index + 1 < separators.count ? separators[index + 1] : lines.count
            let body = Array(lines[start..<end])
            let summary = body.first { $0.hasPrefix("// ") }.map { String($0.dropFirst(3)) } ?? ""
            let check = body.firstIndex(of: "// CHECK:")
            func text(_ part: ArraySlice<String>) -> String {
                var part = part
                while part.last?.isEmpty == true { part.removeLast() }
                return part.map { $0 + "\n" }.joined()
            }
            // Blank lines before the case keep the line numbers of the input file right.
            let input = String(repeating: "\n", count: start) + text(body[..<(check ?? body.count)])
            let bucketBytes = body.first { $0.hasPrefix("// distributed: bucket-bytes=") }.flatMap { Int($0.split(separator: "=")[1]) }
            return IRPassCase(pass: pass, file: file, line: start + 1, summary: summary, input: input,
                              expected: check.map { text(body[($0 + 1)...]) },
                              distribution: bucketBytes.map { Distribution(ranks: 2, bucketBytes: $0) })
        }
    }
}
