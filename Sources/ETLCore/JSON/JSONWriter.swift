import ETLBytes
import Foundation

/// Serialises values to JSON text without Foundation's JSON (too slow on Linux for the hot path).
/// Writes bytes: sinks that write many records (file, exec) append straight into one buffer.
public enum JSONWriter {
    public static func string(_ value: Value) -> String {
        var out: [UInt8] = []
        write(value, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public static func write(_ value: Value, into out: inout String) {
        out += string(value)
    }

    public static func write(_ value: Value, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): appendInteger(i, to: &out)
        case .double(let d):
            if !d.isFinite { out.append(contentsOf: "null".utf8) }
            else if d.rounded() == d && abs(d) < 1e15 { appendInteger(Int64(d), to: &out) }
            else { out.append(contentsOf: String(d).utf8) }
        case .decimal(let d): DecimalText.append(d, to: &out)
        case .string(let s): writeString(s, into: &out)
        case .timestamp(let t):
            out.append(UInt8(ascii: "\""))
            Timestamps.appendISO8601Exact(t, to: &out)
            out.append(UInt8(ascii: "\""))
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            out.append(UInt8(ascii: "{"))
            for i in 0..<fields.count {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(fields.keys[i], into: &out)
                out.append(UInt8(ascii: ":"))
                write(fields.values[i], into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    public static func writeString(_ s: String, into out: inout String) {
        var bytes: [UInt8] = []
        writeString(s, into: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// A JSON string: quotes, backslashes and control characters escaped; the
    /// runs between them copied whole.
    public static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Native strings lend their UTF-8 in place; others are copied once.
        if s.utf8.withContiguousStorageIfAvailable({ appendEscaped($0, into: &out) }) == nil {
            var copy = s
            copy.withUTF8 { appendEscaped($0, into: &out) }
        }
        out.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    private static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var runStart = 0
        for i in 0..<bytes.count {
            let b = bytes[i]
            guard b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 else { continue }
            if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case UInt8(ascii: "\n"): out.append(contentsOf: "\\n".utf8)
            case UInt8(ascii: "\r"): out.append(contentsOf: "\\r".utf8)
            case UInt8(ascii: "\t"): out.append(contentsOf: "\\t".utf8)
            default: out.append(contentsOf: String(format: "\\u%04x", UInt32(b)).utf8)
            }
            runStart = i + 1
        }
        if runStart < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
    }

    static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        IntegerText.append(value, to: &out)
    }
}

/// Writes records (objects) one after another, as `JSONWriter.write(.object(fields))`
/// would, but keeps the escaped `"key":` text of the last key list: records of
/// one shape (a database result's rows share one key list) escape their keys
/// once, not once per record.
public struct JSONObjectWriter {
    private var keys: [String] = []
    /// `"k0":`, `,"k1":`, … one after another; key i spans `ends[i-1]..<ends[i]`.
    private var prefixes: [UInt8] = []
    private var ends: [Int] = []

    public init() {}

    public mutating func write(_ fields: Fields, into out: inout [UInt8]) {
        let fieldKeys = fields.keys
        if fieldKeys != keys {   // the same array (shared storage) compares equal at once
            keys = fieldKeys
            prefixes.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            for (i, key) in fieldKeys.enumerated() {
                if i > 0 { prefixes.append(UInt8(ascii: ",")) }
                JSONWriter.writeString(key, into: &prefixes)
                prefixes.append(UInt8(ascii: ":"))
                ends.append(prefixes.count)
            }
        }
        out.append(UInt8(ascii: "{"))
        let values = fields.values
        prefixes.withUnsafeBufferPointer { prefix in
            var start = 0
            for i in 0..<values.count {
                let end = ends[i]
                out.append(contentsOf: UnsafeBufferPointer(rebasing: prefix[start..<end]))
                start = end
                JSONWriter.write(values[i], into: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
    }
}
