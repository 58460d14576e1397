import Foundation
import Testing
import TGCBase
@testable import TGCDriver

/// `tgc plot`: the SVG drawn from the committed log `tests/plot/scalars.csv` equals
/// `tests/plot/scalars.svg` (one panel per tag prefix, one path per tag, a NaN breaking its
/// line, a lone point drawn as a dot), ticks fall on nice numbers, and a missing folder or file
/// and malformed lines are errors that say where.
@Suite struct PlotTests {
    static let folder = TestPaths.root.appendingPathComponent("tests/plot")

    /// The message of the ToolError `body` throws (nil when it throws none).
    func errorMessage(_ body: () throws -> Any) -> String? {
        do { _ = try body() } catch let error as ToolError { return error.message } catch { return "\(error)" }
        return nil
    }

    var svg: String { get throws { ScalarPlot(log: try ScalarLog.read(folder: Self.folder.path)).svg } }

    @Test func theCommittedLogDrawsTheCommittedSVG() throws {
        let expected = try String(contentsOf: Self.folder.appendingPathComponent("scalars.svg"), encoding: .utf8)
        #expect(try svg == expected, "regenerate with: .build/debug/tgc plot tests/plot -o tests/plot/scalars.svg")
    }

    @Test func onePanelPerPrefixAndOnePathPerTag() throws {
        let svg = try svg
        func all(_ pattern: String) -> [String] {
            let regex = try! NSRegularExpression(pattern: pattern)
            return regex.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).map { String(svg[Range($0.range(at: 1), in: svg)!]) }
        }
        #expect(all("<g class=\"panel\" id=\"panel-([^\"]+)\"") == ["train", "test", "scalars"])
        #expect(all("<path class=\"series\" data-tag=\"([^\"]+)\"") == ["train/loss", "train/accuracy", "test/accuracy", "lr"])
        // train/loss has NaN at step 3: the line stops and the step-4 point starts a new subpath (a dot).
        #expect(svg.contains("data-tag=\"train/loss\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" d=\"M84 52.4 L237 125 L390 171.6 M696 207.1\""))
        #expect(all("<circle cx=\"([0-9.]+)\"").count == 2)
        #expect(svg.contains("<text class=\"x-label\"") && svg.contains("<g class=\"legend\">"))
    }

    @Test func ticksAreNiceNumbers() {
        let loss = AxisTicks(from: 0.52, to: 2.31)
        #expect(loss.values == [0.5, 1, 1.5, 2, 2.5])
        #expect(loss.values.map(loss.label) == ["0.5", "1.0", "1.5", "2.0", "2.5"])
        let accuracy = AxisTicks(from: 0.69, to: 0.82)
        #expect(accuracy.values.map(accuracy.label) == ["0.65", "0.70", "0.75", "0.80", "0.85"])
        let steps = AxisTicks(from: 0, to: 937, integers: true)
        #expect(steps.values == [0, 200, 400, 600, 800, 1000])
        let flat = AxisTicks(from: 3, to: 3)
        #expect(flat.low < 3 && flat.high > 3)
        #expect(AxisTicks(from: 0, to: 1, integers: true).values == [0, 1])
    }

    @Test func badLogsAreErrorsThatSayWhere() throws {
        #expect(errorMessage { try ScalarLog.read(folder: "no/such/runs") } == "no such folder: 'no/such/runs' (a SummaryWriter's log folder, such as runs/NAME)")
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("tgc-plot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(errorMessage { try ScalarLog.read(folder: empty.path) } == "no scalars.csv in '\(empty.path)': log scalars there with SummaryWriter(\"\(empty.path)\").addScalar(...)")
        let cases: [(String, String)] = [
            ("tag,value\n", "f.csv:1: expected the header 'tag,step,value', got 'tag,value'"),
            ("tag,step,value\n", "f.csv holds no scalars (only its header)"),
            ("tag,step,value\na,1\n", "f.csv:2: expected 'tag,step,value', got 'a,1'"),
            ("tag,step,value\na,1,2\na,x,2\n", "f.csv:3: the step 'x' is not an integer"),
            ("tag,step,value\na,1,high\n", "f.csv:2: the value 'high' is not a number"),
            ("tag,step,value\n,1,2\n", "f.csv:2: expected 'tag,step,value', got ',1,2'"),
        ]
        for (text, message) in cases {
            #expect(errorMessage { try ScalarLog.parse(text, path: "f.csv") } == message)
        }
    }

    @Test func theCommandWritesTheFileAndRefusesBadArguments() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("tgc-plot-\(UUID().uuidString).svg")
        defer { try? FileManager.default.removeItem(at: output) }
        #expect(try PlotCommand.run([Self.folder.path, "-o", output.path]) == 0)
        #expect(try String(contentsOf: output, encoding: .utf8) == svg)
        #expect(errorMessage { try PlotCommand.run([]) } == "no log folder given; usage: tgc plot DIR [-o OUT.svg]")
        #expect(errorMessage { try PlotCommand.run(["--width", "3"]) } == "unknown option '--width' for 'tgc plot' (see 'tgc plot --help')")
    }
}
