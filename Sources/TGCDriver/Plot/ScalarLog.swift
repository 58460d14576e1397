import Foundation
import TGCBase

/// The scalars of a `SummaryWriter` log folder, read from its `scalars.csv` (header
/// `tag,step,value`, then one line per scalar): each tag's points in the order logged.
struct ScalarLog {
    struct Series {
        var tag: String
        var points: [(step: Int, value: Double)]
    }

    /// The series in order of their tags' first appearance.
    var series: [Series]

    static let header = "tag,step,value"

    /// Reads `folder/scalars.csv`; a missing folder or file, or a malformed line, is an error
    /// that names the file and line.
    static func read(folder: String) throws -> ScalarLog {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            throw ToolError("no such folder: '\(folder)' (a SummaryWriter's log folder, such as runs/NAME)")
        }
        guard isDirectory.boolValue else { throw ToolError("'\(folder)' is not a folder (give the log folder that holds scalars.csv)") }
        let path = (folder as NSString).appendingPathComponent("scalars.csv")
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ToolError("no scalars.csv in '\(folder)': log scalars there with SummaryWriter(\"\(folder)\").addScalar(...)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ToolError("\(path) is not UTF-8 text") }
        return try parse(text, path: path)
    }

    static func parse(_ text: String, path: String) throws -> ScalarLog {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        guard lines.first == Substring(header) else {
            throw ToolError("\(path):1: expected the header '\(header)', got '\(lines.first.map { String($0.prefix(60)) } ?? "")'")
        }
        var series: [Series] = []
        var index: [String: Int] = [:]
        for (number, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 3, !fields[0].isEmpty else {
                throw ToolError("\(path):\(number + 1): expected 'tag,step,value', got '\(line.prefix(60))'")
            }
            guard let step = Int(fields[1]) else {
                throw ToolError("\(path):\(number + 1): the step '\(fields[1].prefix(30))' is not an integer")
            }
            guard let value = Double(fields[2]) else {
                throw ToolError("\(path):\(number + 1): the value '\(fields[2].prefix(30))' is not a number")
            }
            let tag = String(fields[0])
            if index[tag] == nil {
                index[tag] = series.count
                series.append(Series(tag: tag, points: []))
            }
            series[index[tag]!].points.append((step, value))
        }
        guard !series.isEmpty else { throw ToolError("\(path) holds no scalars (only its header)") }
        return ScalarLog(series: series)
    }

    /// The series grouped by tag prefix (`train/loss` → `train`; a tag without `/` goes to
    /// the panel `scalars`), panels in order of first appearance.
    var panels: [(name: String, series: [Series])] {
        var panels: [(name: String, series: [Series])] = []
        for item in series {
            let name = item.tag.firstIndex(of: "/").map { String(item.tag[..<$0]) } ?? "scalars"
            if let index = panels.firstIndex(where: { $0.name == name }) {
                panels[index].series.append(item)
            } else {
                panels.append((name, [item]))
            }
        }
        return panels
    }
}
