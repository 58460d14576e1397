import Foundation
import TGCBase

/// `tgc plot DIR [-o OUT.svg]`: the scalars a SummaryWriter logged in DIR, drawn as an SVG.
enum PlotCommand {
    static let usage = """
        usage: tgc plot DIR [-o OUT.svg]

        Draws every scalar in DIR/scalars.csv (written by SummaryWriter("DIR").addScalar) against
        its step: one panel per tag prefix (train/loss and train/acc share the panel "train"),
        with axes, ticks at nice numbers, labels and a legend. OUT defaults to DIR/scalars.svg;
        -o - writes the SVG to standard output.
        """

    static func run(_ arguments: [String]) throws -> Int32 {
        var folder: String?
        var output: String?
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "-h", "--help":
                print(usage)
                return 0
            case "-o", "--output":
                guard let value = rest.popFirst() else { throw ToolError("-o needs a file name (see 'tgc plot --help')") }
                output = value
            default:
                if argument.hasPrefix("-") { throw ToolError("unknown option '\(argument)' for 'tgc plot' (see 'tgc plot --help')") }
                guard folder == nil else { throw ToolError("tgc plot takes one log folder, got '\(folder!)' and '\(argument)'") }
                folder = argument
            }
        }
        guard let folder else { throw ToolError("no log folder given; usage: tgc plot DIR [-o OUT.svg]") }
        let svg = ScalarPlot(log: try ScalarLog.read(folder: folder)).svg
        let path = output ?? (folder as NSString).appendingPathComponent("scalars.svg")
        if path == "-" {
            print(svg, terminator: "")
            return 0
        }
        do {
            try Data(svg.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ToolError("cannot write '\(path)': \(error.localizedDescription)")
        }
        return 0
    }
}
