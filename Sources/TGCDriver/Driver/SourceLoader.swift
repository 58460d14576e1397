import Foundation
import TGCBase
import TGCCore
import TGCSyntax

/// Reads a model file and turns it into a program: the checks every command starts with.
enum SourceLoader {
    /// The largest model file tgc reads (a safety limit, not a language limit).
    static let maximumBytes = 16 << 20

    /// The file at `path`, or standard input for `-` (named `<stdin>` in messages).
    static func read(_ path: String) throws -> SourceText {
        if path == "-" { return try decode(FileHandle.standardInput.readDataToEndOfFile(), path: "<stdin>") }
        guard FileManager.default.fileExists(atPath: path) else {
            throw ToolError("no such file: '\(path)'")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ToolError("cannot read '\(path)'")
        }
        return try decode(data, path: path)
    }

    private static func decode(_ data: Data, path: String) throws -> SourceText {
        guard data.count <= maximumBytes else {
            throw ToolError("'\(path)' is \(data.count) bytes; model files are limited to \(maximumBytes) bytes")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ToolError("'\(path)' is not valid UTF-8 text")
        }
        guard text.contains(where: { !$0.isWhitespace }) else {
            throw ToolError("'\(path)' is empty: there is no program to compile")
        }
        return SourceText(path: path, text: text)
    }

    /// Parses and evaluates `source` against `builder` (compiled or eager mode); `hyperparameters`
    /// are the `-D name=value` settings.
    static func evaluate(_ source: SourceText, with builder: Builder, hyperparameters: [String: String] = [:]) throws {
        let program = try parseProgram(source)
        if let eager = builder as? EagerBuilder {
            // Like PyTorch, record history only when the program can ask for gradients.
            var scan = MutationScan(lookupFunction: { name in
                for statement in program.statements {
                    if case .function(let decl) = statement.kind, decl.name == name { return decl }
                }
                return nil
            })
            scan.visit(program.statements)
            eager.recordsTape = scan.touchesGradients || scan.differentiates
        }
        let directory = URL(fileURLWithPath: source.path).deletingLastPathComponent().path
        try Evaluator(builder: builder, baseDirectory: directory, hyperOverrides: hyperparameters).run(program)
    }

    /// The IR of a model file after the pass pipeline (or up to `lastPass`).
    static func compileToIR(_ source: SourceText, upTo lastPass: String? = nil, optimize: Bool = true,
                            disabled: Set<String> = [], hyperparameters: [String: String] = [:]) throws -> Module {
        let builder = GraphBuilder()
        try evaluate(source, with: builder, hyperparameters: hyperparameters)
        if lastPass != "none" {
            try PassPipeline.run(builder.module, upTo: lastPass, disabled: disabled, optimize: optimize)
        }
        return builder.module
    }
}
