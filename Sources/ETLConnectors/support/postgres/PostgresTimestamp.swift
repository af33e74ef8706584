import Foundation
import ETLCore

/// Timestamps in PostgreSQL's text form, both ways, in UTC and to the
/// microsecond, without DateFormatter (slow, and millisecond-only in ISO mode).
enum PostgresTimestamp {
    /// Appends `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` (` BC` after it for years before 1),
    /// which `timestamp` and `timestamptz` columns both accept. False if the date
    /// is not finite or out of PostgreSQL's range.
    @discardableResult
    static func append(_ date: Date, to out: inout [UInt8]) -> Bool {
        let scaled = (date.timeIntervalSince1970 * 1_000_000).rounded()
        guard scaled.isFinite, abs(scaled) < 9.2e18 else { return false }
        let micros = Int64(scaled)
        let microsPerDay: Int64 = 86_400_000_000
        var days = micros / microsPerDay
        var rest = micros % microsPerDay
        if rest < 0 { rest += microsPerDay; days -= 1 }
        let (year, month, day) = civil(fromDays: days)
        let seconds = rest / 1_000_000
        let fraction = rest % 1_000_000

        let bc = year <= 0
        appendDigits(bc ? 1 - year : year, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(month, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(day, width: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        appendDigits(seconds / 3600, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(seconds / 60 % 60, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(seconds % 60, width: 2, to: &out)
        if fraction != 0 {
            out.append(UInt8(ascii: "."))
            appendDigits(fraction, width: 6, to: &out)
        }
        out.append(UInt8(ascii: "Z"))
        if bc { out.append(contentsOf: " BC".utf8) }
        return true
    }

    static func string(_ date: Date) -> String {
        var bytes: [UInt8] = []
        append(date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses the server's output (`2026-11-23 02:00:00.123456`, `…+00`,
    /// `…+05:30`, `… BC`); nil for anything else (`infinity`).
    static func parse(_ text: UnsafeBufferPointer<UInt8>) -> Date? {
        var i = 0
        let n = text.count
        func number(maxDigits: Int) -> (value: Int64, digits: Int)? {
            var v: Int64 = 0, d = 0
            while i < n, d < maxDigits, text[i] >= 48, text[i] <= 57 {
                v = v * 10 + Int64(text[i] - 48); i += 1; d += 1
            }
            return d == 0 ? nil : (v, d)
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < n, text[i] == c else { return false }
            i += 1; return true
        }
        guard let year = number(maxDigits: 9), expect(UInt8(ascii: "-")),
              let month = number(maxDigits: 2), expect(UInt8(ascii: "-")),
              let day = number(maxDigits: 2), i < n, text[i] == UInt8(ascii: " ") || text[i] == UInt8(ascii: "T")
        else { return nil }
        i += 1
        guard let hour = number(maxDigits: 2), expect(UInt8(ascii: ":")),
              let minute = number(maxDigits: 2), expect(UInt8(ascii: ":")),
              let second = number(maxDigits: 2) else { return nil }
        var micros: Int64 = 0
        if expect(UInt8(ascii: ".")) {
            guard let f = number(maxDigits: 6) else { return nil }
            micros = f.value
            for _ in f.digits..<6 { micros *= 10 }
            while i < n, text[i] >= 48, text[i] <= 57 { i += 1 }   // beyond microseconds: not produced by the server
        }
        var offsetSeconds: Int64 = 0
        if i < n, text[i] == UInt8(ascii: "+") || text[i] == UInt8(ascii: "-") {
            let sign: Int64 = text[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let h = number(maxDigits: 2) else { return nil }
            var off = h.value * 3600
            if expect(UInt8(ascii: ":")) {
                guard let m = number(maxDigits: 2) else { return nil }
                off += m.value * 60
                if expect(UInt8(ascii: ":")) {
                    guard let s = number(maxDigits: 2) else { return nil }
                    off += s.value
                }
            }
            offsetSeconds = sign * off
        } else if expect(UInt8(ascii: "Z")) {
            offsetSeconds = 0
        }
        var astronomicalYear = year.value
        if i + 3 <= n, text[i] == UInt8(ascii: " "), text[i + 1] == UInt8(ascii: "B"), text[i + 2] == UInt8(ascii: "C") {
            astronomicalYear = 1 - year.value
            i += 3
        }
        guard i == n, (1...12).contains(month.value), (1...31).contains(day.value),
              hour.value < 25, minute.value < 60, second.value < 61 else { return nil }
        let days = daysFromCivil(year: astronomicalYear, month: month.value, day: day.value)
        let seconds = days * 86_400 + hour.value * 3600 + minute.value * 60 + second.value - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }

    // Proleptic Gregorian, like PostgreSQL: the shared calendar arithmetic.
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        Int64(CivilCalendar.days(year: Int(year), month: Int(month), day: Int(day)))
    }

    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let d = CivilCalendar.date(days: Int(days))
        return (Int64(d.year), Int64(d.month), Int64(d.day))
    }

    private static func appendDigits(_ value: Int64, width: Int, to out: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var v = value
        withUnsafeMutableBytes(of: &digits) { buf in
            repeat {
                buf[count] = UInt8(48 + v % 10); v /= 10; count += 1
            } while v > 0 && count < 10
        }
        for _ in count..<max(width, count) { out.append(48) }
        withUnsafeBytes(of: &digits) { buf in
            var k = count - 1
            while k >= 0 { out.append(buf[k]); k -= 1 }
        }
    }
}
