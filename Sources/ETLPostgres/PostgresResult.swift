import CLibPQ

/// The rows of one statement, in the server's text output: each field is its
/// text (or NULL), read by column type OID (`PostgresTypeOID`).
public final class PostgresResult: @unchecked Sendable {
    @usableFromInline let result: OpaquePointer
    public let rowCount: Int
    public let columns: [String]
    /// Type OID of each column.
    public let columnTypes: [UInt32]
    /// Rows inserted, updated, deleted, copied … (`PQcmdTuples`); 0 when the command reports none.
    public let affectedRows: Int
    /// The command tag: `INSERT 0 3`, `SELECT 2`, `CREATE TABLE` …
    public let commandTag: String

    init(_ result: OpaquePointer) {
        self.result = result
        rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        columnTypes = (0..<columnCount).map { UInt32(PQftype(result, Int32($0))) }
        affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
        commandTag = String(cString: PQcmdStatus(result))
    }

    deinit { PQclear(result) }

    public var columnCount: Int { columns.count }

    public func columnIndex(_ name: String) -> Int? { columns.firstIndex(of: name) }

    public func isNull(row: Int, column: Int) -> Bool {
        guard inRange(row, column) else { return true }
        return PQgetisnull(result, Int32(row), Int32(column)) != 0
    }

    /// The server's text for a field, nil for NULL (or out of range).
    public func text(row: Int, column: Int) -> String? {
        guard !isNull(row: row, column: column) else { return nil }
        return withFieldBytes(row: row, column: column) { String(decoding: $0, as: UTF8.self) }
    }

    @usableFromInline
    func inRange(_ row: Int, _ column: Int) -> Bool {
        row >= 0 && row < rowCount && column >= 0 && column < columns.count
    }

    /// Lends the raw bytes of a field's text output (empty for NULL or out of
    /// range) without copying them: decoders read numbers straight from here.
    /// Inlinable so the codec in ETLConnectors gets it specialised.
    @inlinable
    public func withFieldBytes<T>(row: Int, column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        guard inRange(row, column) else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        let length = Int(PQgetlength(result, Int32(row), Int32(column)))
        let start = UnsafeRawPointer(PQgetvalue(result, Int32(row), Int32(column)))
        guard let start else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: length))
    }
}
