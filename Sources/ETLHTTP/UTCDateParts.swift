import Foundation

/// Calendar fields of an instant in UTC, without a DateFormatter (cheap and locale-proof).
struct UTCDateParts {
    let year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

    init(_ date: Date) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var fields = tm()
        gmtime_r(&seconds, &fields)
        year = Int(fields.tm_year) + 1900; month = Int(fields.tm_mon) + 1; day = Int(fields.tm_mday)
        hour = Int(fields.tm_hour); minute = Int(fields.tm_min); second = Int(fields.tm_sec)
    }

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// `20130524`
    var basicDate: String { Self.pad(year, 4) + Self.pad(month, 2) + Self.pad(day, 2) }
    /// `20130524T000000Z`, the form SigV4 uses.
    var basicDateTime: String { basicDate + "T" + Self.pad(hour, 2) + Self.pad(minute, 2) + Self.pad(second, 2) + "Z" }
}
