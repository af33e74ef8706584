import ETLCore
import ETLPostgres
import Foundation

/// A field's text output and column type → `Value`: integers → int, numeric →
/// decimal, floats → double, bool, timestamp/timestamptz → timestamp (UTC, to the
/// microsecond), json/jsonb → the parsed object, array or scalar (numbers with a
/// fraction as exact decimals, as jsonb stores them), arrays of those types →
/// array. date stays its ISO text (`2026-01-02`): a calendar day has no instant,
/// and a midnight-UTC timestamp would invent one. Everything else (text, uuid,
/// interval …) is the server's text. Anything that does not parse stays text: a
/// value is never lost or changed, only left untyped.
enum PostgresValueDecoder {
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, type: UInt32) -> Value {
        var json = JSONDocumentParser(decimalNumbers: true)
        return decode(bytes, type: type, json: &json)
    }

    /// The same, with a JSON parser kept across fields (`PostgresRowDecoder`): its
    /// key cache is built once, not per json value.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, type: UInt32, json: inout JSONDocumentParser) -> Value {
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
        case PostgresTypeOID.json, PostgresTypeOID.jsonb:
            if let value = try? json.parse(bytes, source: "json column") { return value }
        case PostgresTypeOID.text, PostgresTypeOID.varchar, PostgresTypeOID.bpchar, PostgresTypeOID.name,
             PostgresTypeOID.date, PostgresTypeOID.uuid:
            break
        default:
            if let element = PostgresTypeOID.arrayElement[type], let array = PostgresArrayText.decode(bytes, element: element, json: &json) {
                return array
            }
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
