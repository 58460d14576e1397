/// Delta debugging over lines, then rough tokens: removes ever smaller pieces of an input as
/// long as the failure persists, within a budget of attempts (each may be a child process).
struct Minimizer {
    var attempts: Int

    mutating func minimize(_ text: String, stillFails: (String) -> Bool) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) + "\n" }
        lines[lines.count - 1].removeLast()
        lines = reduce(lines, stillFails: stillFails)
        var tokens = SourceChunks(lines.joined()).chunks.map(\.text)
        tokens = reduce(tokens, stillFails: stillFails)
        return tokens.joined()
    }

    /// Removes chunks of `pieces` (halves, quarters, ... single pieces) while the failure persists.
    private mutating func reduce(_ pieces: [String], stillFails: (String) -> Bool) -> [String] {
        var current = pieces
        var size = max(1, current.count / 2)
        while attempts > 0 && !current.isEmpty {
            var start = 0
            var removedAny = false
            while start < current.count && attempts > 0 {
                var candidate = current
                candidate.removeSubrange(start..<min(current.count, start + size))
                attempts -= 1
                if stillFails(candidate.joined()) {
                    current = candidate
                    removedAny = true
                } else {
                    start += size
                }
            }
            if size == 1 && !removedAny { break }
            size = max(1, size / 2)
        }
        return current
    }
}
