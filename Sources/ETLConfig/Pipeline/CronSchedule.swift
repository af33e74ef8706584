import ETLCore

/// A five-field cron expression (minute hour day-of-month month day-of-week),
/// validated so that `etl validate` catches `0 25 * * *` before cron does.
public struct CronSchedule: Sendable, CustomStringConvertible {
    public var expression: String
    public var fields: [Set<Int>]

    static let ranges: [(name: String, min: Int, max: Int)] = [
        ("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7),
    ]
    static let macros = ["@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
                         "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"]
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    public var description: String { expression }

    /// Parses or throws an error whose message names the bad field.
    public init(_ text: String) throws {
        expression = text
        let expanded = CronSchedule.macros[text.trimmingCharacters(in: .whitespaces).lowercased()] ?? text
        let parts = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard parts.count == 5 else {
            throw ETLError("cron schedule '\(text)' has \(parts.count) fields, expected 5",
                           hint: "minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\" for 02:00 daily")
        }
        fields = try parts.enumerated().map { i, part in try CronSchedule.parseField(part, index: i) }
    }

    static func parseField(_ field: String, index: Int) throws -> Set<Int> {
        let (name, lo, hi) = ranges[index]
        var values = Set<Int>()
        for item in field.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            var rangePart = item
            var step = 1
            if let slash = item.firstIndex(of: "/") {
                rangePart = String(item[..<slash])
                guard let s = Int(item[item.index(after: slash)...]), s > 0 else {
                    throw ETLError("cron \(name) field '\(field)' has a bad step", hint: "use */N with N > 0")
                }
                step = s
            }
            var start = lo, end = hi
            if rangePart != "*" {
                let bounds = rangePart.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
                guard bounds.count <= 2, let a = value(bounds[0], index), let b = value(bounds.last!, index) else {
                    throw ETLError("cron \(name) field '\(field)' is not a number, range or list",
                                   hint: "allowed: \(lo)-\(hi), *, ranges a-b, lists a,b, steps */n")
                }
                start = a; end = bounds.count == 2 ? b : (item.contains("/") ? hi : a)
            }
            guard start >= lo, end <= hi, start <= end else {
                throw ETLError("cron \(name) value '\(item)' is out of range \(lo)-\(hi)")
            }
            values.formUnion(stride(from: start, through: end, by: step))
        }
        return values
    }

    static func value(_ text: String, _ index: Int) -> Int? {
        if let n = Int(text) { return n }
        let lower = text.lowercased()
        if index == 3, let i = monthNames.firstIndex(of: lower) { return i + 1 }
        if index == 4, let i = dayNames.firstIndex(of: lower) { return i }
        return nil
    }
}
