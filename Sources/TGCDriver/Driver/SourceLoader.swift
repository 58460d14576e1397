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
    /// are the `-D name=value` settings. Returns the evaluator, whose globals hold what the
    /// program computed.
    @discardableResult
    static func evaluate(_ source: SourceText, with builder: Builder, hyperparameters: [String: String] = [:]) throws -> Evaluator {
        try evaluate(try parseProgram(source), at: source.path, with: builder, hyperparameters: hyperparameters)
    }

    /// Evaluates a parsed `program` read from `path` against `builder`.
    @discardableResult
    static func evaluate(_ program: Program, at path: String, with builder: Builder,
                         hyperparameters: [String: String] = [:]) throws -> Evaluator {
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
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let evaluator = Evaluator(builder: builder, baseDirectory: directory, hyperOverrides: hyperparameters)
        try evaluator.run(program)
        return evaluator
    }

    /// The IR of a model file after the pass pipeline (or up to `lastPass`).
    /// `distribution` (`--distributed mpi`) shards the DataLoaders and averages the gradients.
    static func compileToIR(_ source: SourceText, upTo lastPass: String? = nil, optimize: Bool = true,
                            disabled: Set<String> = [], hyperparameters: [String: String] = [:],
                            distribution: Distribution? = nil) throws -> Module {
        let builder = GraphBuilder()
        builder.module.distribution = distribution
        try evaluate(source, with: builder, hyperparameters: hyperparameters)
        if lastPass != "none" {
            try PassPipeline.run(builder.module, upTo: lastPass, disabled: disabled, optimize: optimize)
        }
        return builder.module
    }
}
