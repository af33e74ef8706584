import Foundation
import ETLCore
import ETLConfig
import ETLConnectors
import ETLPostgres

/// `etl state`: the saved state (incremental cursors) of one pipeline in `etl_state`,
/// shown, set to a checked value, or reset so the next run starts from `initial`.
public final class PipelineState {
    public struct Entry {
        public var key: String
        public var value: Value
        /// UTC, `YYYY-MM-DD HH:MM:SS`.
        public var updatedAt: String
    }

    /// A key or value `set` refuses: the operator's mistake, not the database's.
    public struct Refusal: Error, CustomStringConvertible {
        public var message: String
        public var hint: String?
        public var description: String { message + (hint.map { " (\($0))" } ?? "") }
    }

    let spec: PipelineSpec
    let connection: PostgresConnection

    public init(spec: PipelineSpec) throws {
        guard let database = spec.controlDatabase else {
            throw ETLError("\(spec.name) keeps no state: it names no database for a ledger, lock or setup",
                           hint: "add `database:` and `ledger:` to \(spec.file)")
        }
        self.spec = spec
        connection = try PostgresConnection(url: database)
    }

    deinit { connection.close() }

    /// Keys the pipeline's source reads back on its next run.
    public var knownKeys: [String] {
        switch spec.source.type {
        case "http": return spec.source.options.has("incremental") ? ["cursor"] : []
        case "postgres": return spec.source.options.has("incremental") ? ["cursor", "cursor_tie_breaker"] : []
        case "exec": return ["singer"]
        default: return []
        }
    }

    public func entries() throws -> [Entry] {
        guard try tableExists() else { return [] }
        return try connection.execute("""
            SELECT key, value, to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS') AS updated FROM etl_state WHERE pipeline = $1 ORDER BY key
            """, [.string(spec.name)]).rows().map { row in
            let text = row["value"]?.stringValue ?? ""
            return Entry(key: row["key"]?.stringValue ?? "", value: (try? JSONStreamReader.parse(Array(text.utf8))) ?? .string(text),
                         updatedAt: row["updated"]?.stringValue ?? "")
        }
    }

    /// Sets one key after checking it is one the source reads and that the value has the
    /// saved value's shape (a timestamp stays a timestamp, a number a number).
    /// Returns the value stored.
    @discardableResult
    public func set(_ key: String, to text: String) throws -> Value {
        let current = try entries()
        let keys = Array(Set(knownKeys + current.map(\.key))).sorted()
        guard keys.contains(key) else {
            let hint = Suggest.didYouMean(key, keys) ?? (keys.isEmpty ? "this pipeline's source keeps no state" : "its keys: \(keys.joined(separator: ", "))")
            throw Refusal(message: "\(spec.name) has no state key '\(key)'", hint: hint)
        }
        let reference = current.first { $0.key == key }?.value ?? initialValue(key)
        let value = try Self.check(text, like: reference, key: key)
        try StateStore(connection: connection, pipeline: spec.name).prepareTable()
        try StateStore(connection: connection, pipeline: spec.name).save(Fields([(key, value)]))
        return value
    }

    /// Removes every saved key; returns how many there were.
    @discardableResult
    public func reset() throws -> Int {
        guard try tableExists() else { return 0 }
        return try connection.execute("DELETE FROM etl_state WHERE pipeline = $1", [.string(spec.name)]).affectedRows
    }

    private func tableExists() throws -> Bool {
        try connection.execute("SELECT to_regclass('etl_state') IS NOT NULL").value(row: 0, column: 0) == .bool(true)
    }

    private func initialValue(_ key: String) -> Value? {
        guard key == "cursor" else { return nil }
        return spec.source.options.object("incremental").string("initial").map { .string($0) }
    }

    /// A cursor compared with the wrong kind of value would silently re-read or skip everything.
    static func check(_ text: String, like reference: Value?, key: String) throws -> Value {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw Refusal(message: "state value for '\(key)' is empty", hint: "use `etl state reset` to start from the beginning") }
        switch reference {
        case .int?, .double?, .decimal?:
            guard let n = Int64(trimmed) else {
                if let d = Double(trimmed) { return .double(d) }
                throw Refusal(message: "'\(text)' is not a number, but \(key) holds numbers (now \(reference!.text))", hint: nil)
            }
            return .int(n)
        case .string(let s)? where Self.looksLikeTimestamp(s):
            guard Self.looksLikeTimestamp(trimmed) else {
                throw Refusal(message: "'\(text)' is not a timestamp, but \(key) holds timestamps (now \(s))",
                               hint: "write it like the saved one, e.g. 2024-01-31T00:00:00Z")
            }
            return .string(trimmed)
        default:
            return .string(trimmed)
        }
    }

    /// `2024-01-31`, `2024-01-31T10:00:00Z`, `2024-01-31 10:00:00+00` …
    static func looksLikeTimestamp(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count >= 10 else { return false }
        let digits = [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy { u[$0] >= 48 && u[$0] <= 57 }
        guard digits, u[4] == 45, u[7] == 45 else { return false }
        guard let month = Int(s.dropFirst(5).prefix(2)), let day = Int(s.dropFirst(8).prefix(2)) else { return false }
        return (1...12).contains(month) && (1...31).contains(day) && (u.count == 10 || u[10] == 84 || u[10] == 32)
    }
}
