import CLibPQ
import ETLCore
import Foundation

/// The rows of one statement. Values are converted on access by column type:
/// integers → `.int`, numeric → `.decimal` (exact), floats → `.double`,
/// bool → `.bool`, timestamps → `.timestamp` (UTC), json/jsonb and every
/// other type → `.string` with the server's text, NULL → `.null`.
public final class PostgresResult: @unchecked Sendable {
    private let result: OpaquePointer
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
        return withBytes(row, column) { String(decoding: $0, as: UTF8.self) }
    }

    public func value(row: Int, column: Int) -> Value {
        guard !isNull(row: row, column: column) else { return .null }
        let type = columnTypes[column]
        return withBytes(row, column) { PostgresResult.convert($0, type: type) }
    }

    public func value(row: Int, name: String) -> Value {
        guard let column = columnIndex(name) else { return .null }
        return value(row: row, column: column)
    }

    /// One row as fields in column order.
    public func fields(row: Int) -> Fields {
        var f = Fields()
        f.reserveCapacity(columns.count)
        for (column, name) in columns.enumerated() { f.appendUnchecked(name, value(row: row, column: column)) }
        return f
    }

    /// Every row as fields. Duplicate column names keep every value (first wins on lookup).
    public func rows() -> [Fields] { (0..<rowCount).map { fields(row: $0) } }

    private func inRange(_ row: Int, _ column: Int) -> Bool {
        row >= 0 && row < rowCount && column >= 0 && column < columns.count
    }

    private func withBytes<T>(_ row: Int, _ column: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        let length = Int(PQgetlength(result, Int32(row), Int32(column)))
        let start = UnsafeRawPointer(PQgetvalue(result, Int32(row), Int32(column)))
        guard let start else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        return body(UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: length))
    }

    /// Text output → `Value`. Anything that does not parse stays text: a
    /// value is never lost or changed, only left untyped.
    static func convert(_ bytes: UnsafeBufferPointer<UInt8>, type: UInt32) -> Value {
        switch type {
        case PostgresTypeOID.int2, PostgresTypeOID.int4, PostgresTypeOID.int8, PostgresTypeOID.oid:
            if let i = parseInteger(bytes) { return .int(i) }
        case PostgresTypeOID.bool:
            if bytes.count == 1 { return .bool(bytes[0] == UInt8(ascii: "t")) }
        case PostgresTypeOID.float4, PostgresTypeOID.float8:
            if let d = Double(String(decoding: bytes, as: UTF8.self)) { return .double(d) }
        case PostgresTypeOID.numeric:
            if let d = exactDecimal(bytes) { return .decimal(d) }
        case PostgresTypeOID.timestamp, PostgresTypeOID.timestamptz:
            if let date = PostgresTimestamp.parse(bytes) { return .timestamp(date) }
        default:
            break
        }
        return .string(String(decoding: bytes, as: UTF8.self))
    }

    static func parseInteger(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !bytes.isEmpty else { return nil }
        var i = 0
        let negative = bytes[0] == UInt8(ascii: "-")
        if negative || bytes[0] == UInt8(ascii: "+") { i = 1 }
        guard i < bytes.count else { return nil }
        var value: Int64 = 0
        while i < bytes.count {
            let digit = bytes[i] &- 48
            guard digit < 10 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? times10.subtractingReportingOverflow(Int64(digit))
                                      : times10.addingReportingOverflow(Int64(digit))
            guard !o1, !o2 else { return nil }
            value = next
            i += 1
        }
        return value
    }

    private static let posix = Locale(identifier: "en_US_POSIX")

    /// numeric → Decimal, but only when Decimal holds it exactly (38 digits
    /// from the first to the last non-zero one); longer values, NaN and
    /// infinities stay text. Up to 19 digits it is built from an integer and
    /// an exponent, much faster than `Decimal(string:)`.
    static func exactDecimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Decimal? {
        var digitCount = 0, fractionDigits = 0
        var firstNonZero = -1, lastNonZero = -1
        var seenPoint = false, negative = false
        var mantissa: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if byte != UInt8(ascii: "0") {
                    if firstNonZero < 0 { firstNonZero = digitCount }
                    lastNonZero = digitCount
                }
                if digitCount < 19 { mantissa = mantissa * 10 + UInt64(byte - 48) }
                digitCount += 1
                if seenPoint { fractionDigits += 1 }
            case UInt8(ascii: "-") where index == 0: negative = true
            case UInt8(ascii: "+") where index == 0: continue
            case UInt8(ascii: ".") where !seenPoint: seenPoint = true
            default: return nil
            }
        }
        guard digitCount > 0 else { return nil }
        if firstNonZero >= 0 && lastNonZero - firstNonZero + 1 > 38 { return nil }
        if digitCount <= 19 && fractionDigits <= 127 {
            return Decimal(sign: negative ? .minus : .plus, exponent: -fractionDigits, significand: Decimal(mantissa))
        }
        return Decimal(string: String(decoding: bytes, as: UTF8.self), locale: posix)
    }
}
