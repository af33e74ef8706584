import ETLBytes
import ETLCore
import ETLPostgres
import Foundation

/// The text form PostgreSQL parses for each `Value`: used for bound parameters
/// and, with COPY escaping on top, for COPY rows. Writes bytes straight into a
/// buffer: this runs once per field of every row loaded.
enum PostgresTextEncoder {
    /// Appends the value's text; `.null` must be handled by the caller (it has
    /// no text form: NULL parameter, `\N` in COPY). Inside arrays it is `NULL`.
    static func append(_ value: Value, to out: inout [UInt8]) {
        switch value {
        case .null: break
        case .bool(let b): out.append(b ? UInt8(ascii: "t") : UInt8(ascii: "f"))
        case .int(let i): appendInteger(i, to: &out)
        case .double(let d): appendDouble(d, to: &out)
        case .decimal(let d): DecimalText.append(d, to: &out)
        case .string(let s): out.append(contentsOf: s.utf8)
        case .timestamp(let t):
            if !PostgresTimestamp.append(t, to: &out) { out.append(contentsOf: "infinity".utf8) }
        case .array(let items): appendArrayLiteral(items, to: &out)
        case .object: out.append(contentsOf: JSONWriter.string(value).utf8)
        }
    }

    /// `{"a","b\"c",NULL}`, nested arrays as nested braces: what `= ANY($1)` with
    /// `text[]`/`bigint[]` and array columns take.
    static func appendArrayLiteral(_ items: [Value], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        var scratch: [UInt8] = []
        for (index, item) in items.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            switch item {
            case .null: out.append(contentsOf: "NULL".utf8)
            case .array(let inner): appendArrayLiteral(inner, to: &out)
            default:
                scratch.removeAll(keepingCapacity: true)
                append(item, to: &scratch)
                out.append(UInt8(ascii: "\""))
                for byte in scratch {
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                    out.append(byte)
                }
                out.append(UInt8(ascii: "\""))
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        IntegerText.append(value, to: &out)
    }

    /// Whole doubles print as integers (like `Value.text`) so a JSON `1.0`
    /// still loads into a bigint column; the rest round-trip exactly.
    static func appendDouble(_ d: Double, to out: inout [UInt8]) {
        if d.isNaN { out.append(contentsOf: "NaN".utf8); return }
        if d.isInfinite { out.append(contentsOf: (d > 0 ? "Infinity" : "-Infinity").utf8); return }
        if d.rounded() == d && abs(d) < 1e15 { appendInteger(Int64(d), to: &out); return }
        out.append(contentsOf: d.description.utf8)
    }
}
