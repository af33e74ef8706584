import Foundation
import ETLCore

/// The `incremental:` block of the http source: ask only for what changed since
/// the last successful run, and remember how far this run got.
///
/// The cursor is read from the pipeline's saved state (key `cursor`), falling back
/// to `initial`; it goes out as one query parameter. While reading, the greatest
/// `cursor_field` value seen is tracked, and saved for the next run through
/// `RunContext.saveState` — which the runner commits only after every sink
/// committed, so a failed run never moves the cursor.
struct IncrementalCursor {
    static let stateKey = "cursor"

    static let cursorField = OptionKey<String>("cursor_field", required: true, doc: "Record field (dotted path) whose greatest value is remembered: a timestamp, number or sortable string.", example: "updatedAt")
    static let param = OptionKey<String>("param", required: true, doc: "Query parameter that sends the remembered value.", example: "modifiedSince")
    static let initial = OptionKey<String?>("initial", doc: "Value sent on the first run (no saved state yet); without it the first run sends no parameter and reads everything.", example: "\"2024-01-01T00:00:00Z\"")
    static let options: [any OptionDeclaration] = [cursorField, param, initial]

    let fieldPath: [String]
    let field: String
    let param: String
    let initial: String?

    init(_ options: Options) {
        field = options[Self.cursorField]
        fieldPath = field.split(separator: ".").map(String.init)
        param = options[Self.param]
        initial = options[Self.initial].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The value this run starts from: the saved cursor, else `initial`.
    func start(_ context: RunContext) -> Value? {
        if let saved = context.state[Self.stateKey], !saved.isNull, !saved.text.isEmpty { return saved }
        return initial.map { .string($0) }
    }

    /// Follows the greatest cursor value across every page of one read.
    final class Tracker {
        let path: [String]
        private(set) var greatest: Value?
        private(set) var seen = 0

        init(path: [String], start: Value?) { self.path = path; greatest = start }

        func observe(_ batch: Batch) {
            for record in batch.records {
                let value = path.count == 1 ? (record.fields[path[0]] ?? .null) : record.value[path: path]
                if value.isNull { continue }
                seen += 1
                if let current = greatest {
                    if CursorOrder.isGreater(value, than: current) { greatest = value }
                } else {
                    greatest = value
                }
            }
        }
    }
}

/// Orders cursor values the way a person would: numbers by value, timestamps by
/// instant (whatever their offset or precision), other text as text.
enum CursorOrder {
    static func isGreater(_ a: Value, than b: Value) -> Bool {
        switch (a, b) {
        case (.timestamp(let x), .timestamp(let y)): return x > y
        case (.string(let x), .string(let y)): return compareText(x, y) == .orderedDescending
        case (.timestamp(let x), .string(let y)): return instant(y).map { x > $0 } ?? (a.text > y)
        case (.string(let x), .timestamp(let y)): return instant(x).map { $0 > y } ?? (x > b.text)
        default:
            if let x = a.doubleValue, let y = b.doubleValue { return x > y }
            if let x = a.doubleValue, let y = Double(b.text) { return x > y }
            if let x = Double(a.text), let y = b.doubleValue { return x > y }
            return a.text > b.text
        }
    }

    /// Two strings: same-shaped ISO 8601 texts compare as text (fast and exact); texts
    /// that both read as instants compare as instants; numbers as numbers; else as text.
    static func compareText(_ x: String, _ y: String) -> ComparisonResult {
        if x == y { return .orderedSame }
        if sameShape(x, y) { return x < y ? .orderedAscending : .orderedDescending }
        if let dx = instant(x), let dy = instant(y) { return dx == dy ? .orderedSame : (dx < dy ? .orderedAscending : .orderedDescending) }
        if let nx = Double(x), let ny = Double(y) { return nx == ny ? .orderedSame : (nx < ny ? .orderedAscending : .orderedDescending) }
        return x < y ? .orderedAscending : .orderedDescending
    }

    /// Same length, digits in the same places and the same zone suffix: text order is time order.
    private static func sameShape(_ x: String, _ y: String) -> Bool {
        let a = Array(x.utf8), b = Array(y.utf8)
        guard a.count == b.count, a.count >= 10 else { return false }
        func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        // Looks like a date (YYYY-MM-DD…) in both.
        guard a[4] == UInt8(ascii: "-"), b[4] == UInt8(ascii: "-") else { return false }
        for i in 0..<a.count where isDigit(a[i]) != isDigit(b[i]) || (!isDigit(a[i]) && a[i] != b[i]) { return false }
        // A numeric zone offset (+02:00) sits at the end: it must be identical, not just the same shape.
        if let zone = a.lastIndex(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }), zone > 10 {
            return a[zone...] == b[zone...]
        }
        return true
    }

    private static let parsers: [ISO8601DateFormatter] = {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        let dateOnly = ISO8601DateFormatter()
        dateOnly.formatOptions = [.withFullDate]
        return [plain, withFraction, dateOnly]
    }()
    private static let lock = NSLock()

    /// The instant an ISO 8601 text names, if it is one (a space instead of `T` is accepted).
    static func instant(_ text: String) -> Date? {
        var t = text
        if t.count > 10, t[t.index(t.startIndex, offsetBy: 10)] == " " {
            t.replaceSubrange(t.index(t.startIndex, offsetBy: 10)...t.index(t.startIndex, offsetBy: 10), with: "T")
        }
        lock.lock(); defer { lock.unlock() }
        for p in parsers { if let d = p.date(from: t) { return d } }
        return nil
    }
}
