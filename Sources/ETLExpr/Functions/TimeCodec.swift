import Foundation
import ETLCore

/// ISO-8601 and strftime-subset (%Y %m %d %H %M %S %z) parsing and formatting,
/// by hand: Foundation's formatters are slow to create and locale-dependent.
enum TimeCodec {
    struct Civil { var year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, fraction = 0.0, offsetSeconds = 0 }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func days(year: Int, month: Int, day: Int) -> Int { CivilCalendar.days(year: year, month: month, day: day) }

    static func civil(days: Int) -> (year: Int, month: Int, day: Int) { CivilCalendar.date(days: days) }

    static func daysInMonth(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func date(_ c: Civil) -> Date? {
        guard (1...12).contains(c.month), (1...daysInMonth(c.year, c.month)).contains(c.day),
              (0...23).contains(c.hour), (0...59).contains(c.minute), (0...60).contains(c.second) else { return nil }
        let seconds = days(year: c.year, month: c.month, day: c.day) * 86400 + c.hour * 3600 + c.minute * 60 + c.second - c.offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + c.fraction)
    }

    /// A cursor over ASCII bytes.
    private struct Reader {
        let bytes: [UInt8]
        var pos = 0
        var atEnd: Bool { pos >= bytes.count }
        var peek: UInt8? { pos < bytes.count ? bytes[pos] : nil }

        mutating func digits(min: Int, max: Int) -> Int? {
            var n = 0, count = 0
            while count < max, let b = peek, b >= 48, b <= 57 { n = n * 10 + Int(b - 48); pos += 1; count += 1 }
            return count >= min ? n : nil
        }
        mutating func take(_ c: Character) -> Bool {
            if let b = peek, let a = c.asciiValue, b == a { pos += 1; return true }
            return false
        }
        /// `Z`, `+02:00`, `+0200`, `-05`.
        mutating func offset() -> Int? {
            if take("Z") || take("z") { return 0 }
            let sign: Int
            if take("+") { sign = 1 } else if take("-") { sign = -1 } else { return nil }
            guard let h = digits(min: 2, max: 2), h <= 23 else { return nil }
            _ = take(":")
            let m = digits(min: 2, max: 2) ?? 0
            guard m <= 59 else { return nil }
            return sign * (h * 3600 + m * 60)
        }
        mutating func fraction() -> Double {
            guard take(".") || take(",") else { return 0 }
            var scale = 0.1, f = 0.0
            while let b = peek, b >= 48, b <= 57 { f += Double(b - 48) * scale; scale /= 10; pos += 1 }
            return f
        }
    }

    /// `2024-03-01`, `2024-03-01T12:30:00Z`, `2024-03-01 12:30:00.250+02:00`, `2024-03-01T12:30`.
    /// Without an offset the time is taken as UTC.
    static func parseISO(_ text: String) -> Date? {
        var r = Reader(bytes: Array(text.trimmingCharacters(in: .whitespaces).utf8))
        var c = Civil()
        guard let y = r.digits(min: 4, max: 4), r.take("-"), let mo = r.digits(min: 2, max: 2), r.take("-"),
              let d = r.digits(min: 2, max: 2) else { return nil }
        c.year = y; c.month = mo; c.day = d
        if r.take("T") || r.take("t") || r.take(" ") {
            guard let h = r.digits(min: 2, max: 2), r.take(":"), let mi = r.digits(min: 2, max: 2) else { return nil }
            c.hour = h; c.minute = mi
            if r.take(":") {
                guard let s = r.digits(min: 2, max: 2) else { return nil }
                c.second = s
                c.fraction = r.fraction()
            }
            if !r.atEnd {
                guard let o = r.offset() else { return nil }
                c.offsetSeconds = o
            }
        }
        guard r.atEnd else { return nil }
        return date(c)
    }

    /// Parses with a strftime subset: %Y %m %d %H %M %S (with optional fraction) %z %%.
    static func parse(_ text: String, format: String) -> Date? {
        var r = Reader(bytes: Array(text.utf8))
        var c = Civil()
        var it = format.makeIterator()
        while let f = it.next() {
            if f != "%" {
                guard r.take(f) else { return nil }
                continue
            }
            switch it.next() {
            case "Y": guard let v = r.digits(min: 4, max: 4) else { return nil }; c.year = v
            case "m": guard let v = r.digits(min: 1, max: 2) else { return nil }; c.month = v
            case "d": guard let v = r.digits(min: 1, max: 2) else { return nil }; c.day = v
            case "H": guard let v = r.digits(min: 1, max: 2) else { return nil }; c.hour = v
            case "M": guard let v = r.digits(min: 1, max: 2) else { return nil }; c.minute = v
            case "S": guard let v = r.digits(min: 1, max: 2) else { return nil }; c.second = v; c.fraction = r.fraction()
            case "z": guard let v = r.offset() else { return nil }; c.offsetSeconds = v
            case "%": guard r.take("%") else { return nil }
            default: return nil
            }
        }
        guard r.atEnd else { return nil }
        return date(c)
    }

    /// Formats in UTC with %Y %m %d %H %M %S %z (always +0000) %%; other text is copied.
    static func format(_ date: Date, _ pattern: String) -> String {
        let t = date.timeIntervalSince1970
        let whole = Int(t.rounded(.down))
        let days = whole >= 0 ? whole / 86400 : (whole - 86399) / 86400
        let secondOfDay = whole - days * 86400
        let (y, m, d) = civil(days: days)
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        var out = ""
        var it = pattern.makeIterator()
        while let ch = it.next() {
            guard ch == "%", let code = it.next() else { out.append(ch); continue }
            switch code {
            case "Y": out += pad(y, 4)
            case "m": out += pad(m, 2)
            case "d": out += pad(d, 2)
            case "H": out += pad(secondOfDay / 3600, 2)
            case "M": out += pad(secondOfDay % 3600 / 60, 2)
            case "S": out += pad(secondOfDay % 60, 2)
            case "z": out += "+0000"
            case "%": out += "%"
            default: out.append("%"); out.append(code)
            }
        }
        return out
    }
}
