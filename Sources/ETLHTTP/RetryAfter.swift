import Foundation

/// Parses a `Retry-After` header: delta seconds (`120`) or an HTTP date.
public enum RetryAfter {
    /// Seconds to wait from `now`; nil when the value is neither form. A date in the past gives 0.
    public static func seconds(_ value: String, now: Date = Date()) -> Double? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let delta = Double(text), delta.isFinite { return max(0, delta) }
        for format in formats {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return max(0, date.timeIntervalSince(now)) }
        }
        return nil
    }

    /// IMF-fixdate first, then the two obsolete forms RFC 9110 still asks recipients to accept.
    private static let formats = ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"]
}
