/// Durations (`500ms`, `5s`, `15m`, `1h30m`, `30d`) and sizes (`10MB`, `512KiB`)
/// as written in pipelines and expressions.
public enum DurationParser {
    /// Seconds, or nil if the text is not a duration.
    public static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604800)]
        var total = 0.0
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        if let plain = Double(rest) { return plain }   // a bare number is seconds
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard !digits.isEmpty, let n = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let (unit, factor) = units.first(where: { rest.hasPrefix($0.0) && !(
                $0.0 == "m" && rest.hasPrefix("ms")) }) else { return nil }
            rest = rest.dropFirst(unit.count)
            total += n * factor
        }
        return total
    }

    public static func bytes(_ text: String) -> Int64? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Int64)] = [("KiB", 1024), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1000), ("MB", 1_000_000),
                                        ("GB", 1_000_000_000), ("B", 1)]
        for (u, f) in units where t.hasSuffix(u) {
            // Int64(_:) traps outside its range (and on NaN): such a size is not a size.
            guard let n = Double(t.dropLast(u.count).trimmingCharacters(in: .whitespaces)),
                  let b = Int64(exactly: (n * Double(f)).rounded(.towardZero)) else { return nil }
            return b
        }
        return Int64(t)
    }

    public static func format(_ seconds: Double) -> String {
        // Int(_:) traps on NaN, infinities and anything past Int.max; those are shown as they are.
        guard seconds.isFinite, abs(seconds) < 1e15 else { return "\(seconds)s" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let s = Int(seconds.rounded())
        if s < 3600 { return "\(s / 60)m\(s % 60)s" }
        return "\(s / 3600)h\((s % 3600) / 60)m"
    }
}

import Foundation
