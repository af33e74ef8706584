import Foundation
import ETLCore

/// `20/s`, `600/min`, `1000/h` as requests per second.
enum RateLimitText {
    static func perSecond(_ text: String) -> Double? {
        let parts = text.replacingOccurrences(of: " ", with: "").lowercased().split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let count = Double(parts[0]), count > 0, count.isFinite else { return nil }
        switch parts[1] {
        case "s", "sec", "second": return count
        case "m", "min", "minute": return count / 60
        case "h", "hour": return count / 3600
        default: return nil
        }
    }

    static func read(_ options: Options) throws -> Double? {
        guard let text = options[HTTPRequestOptions.rateLimit] else { return nil }
        guard let rate = perSecond(text) else {
            throw options.error(HTTPRequestOptions.rateLimit, "rate_limit '\(text)' is not a rate",
                                hint: "write requests per second, minute or hour: 20/s, 600/min, 1000/h")
        }
        return rate
    }
}
