import Foundation
import TGCBase
import TGCCBackend
import TGCCore
import TGCSyntax

/// The `tgc` command: dispatches to compile, run, check and ir; returns the exit status.
public enum TGCMain {
    public static func main(_ arguments: [String]) -> Int32 {
        let args = Array(arguments.dropFirst())
        // Commands that parse their own arguments.
        let standalone: [String: ([String]) throws -> Int32] = ["plot": PlotCommand.run, "doctor": DoctorCommand.run]
        if let command = args.first.flatMap({ standalone[$0] }) {
            do {
                return try command(Array(args.dropFirst()))
            } catch {
                reportError((error as? ToolError)?.description ?? "error: \(error)")
                return 1
            }
        }
        if args.isEmpty || args == ["--help"] || args == ["-h"] || args == ["help"] || (args.count == 2 && args[1] == "--help") {
            print(HelpText.usage)
            return args.isEmpty ? 1 : 0
        }
        if args == ["--version"] {
            print(HelpText.version)
            return 0
        }
        var source: SourceText?
        do {
            let options = try Options.parse(args)
            source = try SourceLoader.read(options.file)
            return try Commands(options: options, source: source!).run()
        } catch let diagnostic as Diagnostic {
            reportError(diagnostic.render(source: source?.path == diagnostic.location.file ? source : nil))
        } catch let error as ToolError {
            reportError(error.description)
        } catch let error as VerifierError {
            reportError(error.description)
        } catch {
            reportError("error: \(error)")
        }
        return 1
    }

    static func reportError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
