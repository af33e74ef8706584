import Foundation

/// A record (a JSON element, an NDJSON line, a CSV row) larger than the
/// reader's cap: it is skipped without being built, so one 2 GB value costs
/// no 2 GB allocation, and reported with the start of its bytes so whoever
/// reads the reject can tell which record it was.
public struct OversizedRecord: Equatable, Sendable {
    /// Zero-based, counted like the records around it.
    public var position: Int
    /// The record's size in bytes, as found when skipping it.
    public var byteCount: Int
    /// Line (from 1) of its first byte.
    public var line: Int
    /// Its first `excerptLimit` bytes as text, with `…` when cut.
    public var excerpt: String

    public static let excerptLimit = 200

    public init(position: Int, byteCount: Int, line: Int, excerpt: String) {
        self.position = position; self.byteCount = byteCount; self.line = line; self.excerpt = excerpt
    }

    init(position: Int, line: Int, bytes buf: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) {
        let cut = min(end, start + Self.excerptLimit)
        var text = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<cut]), as: UTF8.self)
        if cut < end { text += "…" }
        self.init(position: position, byteCount: end - start, line: line, excerpt: text)
    }

    /// "200.0 MiB, over max_record_size (16 MiB)", given the cap and what it is called.
    public func size(over limit: Int, option: String) -> String {
        "\(Self.size(byteCount)), over \(option) (\(Self.size(limit)))"
    }

    /// The error when a reader has nowhere to hand an oversized record.
    var refusal: String { "\(RecordNumber.describe(position)) is too large: " }

    /// 1536 → "1.5 KiB"; whole numbers without a fraction.
    public static func size(_ bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        if unit == 0 { return "\(bytes) bytes" }
        return value == value.rounded() ? "\(Int(value)) \(units[unit])" : String(format: "%.1f", value) + " " + units[unit]
    }
}

/// Thrown inside a reader when parsing reaches the end of the window the cap
/// allows: the record is then skipped and reported as an `OversizedRecord`.
struct RecordCapReached: Error {}
