import Foundation
import TGCDriver

/// Runs one input through `tgc check` (lexer, parser, evaluator, shape inference) in process
/// and, when it passes, through the optimizing passes (`Pipeline.module`: constant folding,
/// CSE, DCE, autodiff), and judges the result: accepted, or an error rendered
/// `FILE:LINE:COL: error: ...` with a position inside the file (or `error: ...` for file-level
/// problems). Anything else is a finding.
public enum FrontEndOracle {
    /// What became of one input.
    public enum Outcome: Equatable, Sendable {
        case accepted
        case diagnosed
        /// The error's rendering breaks the convention; the text says how.
        case malformed(String)
    }

    public static func check(_ path: String, text: String) -> Outcome {
        do {
            try Pipeline.check(path)
            _ = try Pipeline.module(of: path)
            return .accepted
        } catch {
            return judge(Pipeline.render(error, path: path), path: path, text: text)
        }
    }

    /// Whether `rendered` follows the diagnostic convention for a file with contents `text`.
    public static func judge(_ rendered: String, path: String, text: String) -> Outcome {
        if rendered.hasPrefix("error: ") { return .diagnosed }
        let prefix = path + ":"
        guard rendered.hasPrefix(prefix) else { return .malformed("does not start with '\(prefix)LINE:COL: error:' or 'error:': \(rendered.prefix(200))") }
        let rest = rendered.dropFirst(prefix.count)
        let parts = rest.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let line = Int(parts[0]), let column = Int(parts[1]), parts[2].hasPrefix(" error: ") else {
            return .malformed("no LINE:COL: error: after the file name: \(rendered.prefix(200))")
        }
        let lineCount = text.utf8.lazy.filter { $0 == 10 }.count + 1
        guard line >= 1, line <= lineCount, column >= 1 else {
            return .malformed("position \(line):\(column) is outside the file (\(lineCount) lines): \(rendered.prefix(200))")
        }
        return .diagnosed
    }
}
