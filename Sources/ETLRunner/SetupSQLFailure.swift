import ETLCore
import ETLPostgres

/// The error for a setup SQL file that failed. It names the file, line and
/// column and quotes only a short excerpt there: `setup: [/etc/passwd]` must
/// not copy the file into logs, the ledger and chat.
enum SetupSQLFailure {
    /// Characters of the file quoted on each side of the error position.
    static let context = 30

    static func error(file: String, sql: String, _ error: Error) -> ETLError {
        guard var pg = error as? PostgresError else { return ETLError("setup SQL \(file) failed: \(error)") }
        pg.statement = nil   // the first 200 characters of the file, whatever it is
        var place = ""
        if let position = pg.position, position >= 1 {
            let (line, column, excerpt) = locate(sql, position)
            place = " at line \(line), column \(column) (near \"\(excerpt)\")"
        }
        return ETLError("setup SQL \(file) failed\(place): \(pg.description)",
                        hint: "check that `setup` lists SQL files and that \(file) is valid SQL")
    }

    /// Line and column of a 1-based character position, and at most `context` characters
    /// either side of it on that line.
    static func locate(_ sql: String, _ position: Int) -> (line: Int, column: Int, excerpt: String) {
        let chars = Array(sql)
        let at = min(max(0, position - 1), chars.count)
        var line = 1, lineStart = 0
        for i in 0..<at where chars[i] == "\n" { line += 1; lineStart = i + 1 }
        var lineEnd = at
        while lineEnd < chars.count && chars[lineEnd] != "\n" { lineEnd += 1 }
        let from = max(lineStart, at - context), to = min(lineEnd, at + context)
        var excerpt = String(chars[from..<to]).replacingOccurrences(of: "\r", with: "")
        if from > lineStart { excerpt = "…" + excerpt }
        if to < lineEnd { excerpt += "…" }
        return (line, at - lineStart + 1, excerpt)
    }
}
