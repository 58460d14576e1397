import Synchronization

/// A position in a source file: 1-based line and column (columns count Unicode scalars).
/// The file is kept as a small number into a process-wide table of paths, so copying a
/// location (every op built carries one) costs no reference counting.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    private let fileID: UInt32
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.fileID = FileTable.shared.id(for: file)
        self.line = line
        self.column = column
    }

    /// The path of the file.
    public var file: String { FileTable.shared.path(for: fileID) }

    /// A location for ops that tgc creates itself (runtime helpers, tests).
    public static let unknown = SourceLocation(file: "<unknown>", line: 0, column: 0)

    public var description: String { "\(file):\(line):\(column)" }
}

/// The paths that locations refer to, numbered in order of first use.
final class FileTable: Sendable {
    static let shared = FileTable()

    private struct Paths {
        var ids: [String: UInt32] = [:]
        var paths: [String] = []
    }

    private let state = Mutex(Paths())

    func id(for path: String) -> UInt32 {
        state.withLock { table in
            if let id = table.ids[path] { return id }
            let id = UInt32(table.paths.count)
            table.ids[path] = id
            table.paths.append(path)
            return id
        }
    }

    func path(for id: UInt32) -> String {
        state.withLock { $0.paths[Int(id)] }
    }
}
