import Foundation

/// Which archive keys a key template can have produced: what retention may
/// delete. Anything else under the archive (another pipeline's payloads, a
/// file an operator put there) is not ours and is never touched.
///
/// Date placeholders match their digits, `{run_id}` a run id; before the file
/// name's extension the page suffix (`_p0002`) and the same-second suffix
/// (`-2`) are allowed, and after it the `.failed` marker of a payload that
/// could not be read.
public struct ArchiveKeyPattern {
    private let regex: NSRegularExpression?
    public let template: String

    /// Marker appended to an archived payload that failed (truncated, not parseable).
    public static let failedSuffix = ".failed"

    public init(template: String) {
        self.template = template
        let relative = String(template.drop { $0 == "/" })
        let nameStart = relative.lastIndex(of: "/").map { relative.index(after: $0) } ?? relative.startIndex
        var base = relative[...], ext = relative[relative.endIndex...]
        if let dot = relative[nameStart...].lastIndex(of: "."), dot > nameStart {
            base = relative[..<dot]; ext = relative[dot...]
        }
        let pattern = "^" + Self.translate(base) + #"(?:_p\d{4,})?(?:-\d+)?"# + Self.translate(ext)
            + "(?:" + NSRegularExpression.escapedPattern(for: Self.failedSuffix) + ")?$"
        regex = try? NSRegularExpression(pattern: pattern)
    }

    /// `key` is relative to the archive location (no leading `/`).
    public func matches(_ key: String) -> Bool {
        guard let regex else { return false }
        let range = NSRange(key.startIndex..., in: key)
        return regex.firstMatch(in: key, options: [], range: range) != nil
    }

    private static let digits: [String: Int] = ["YYYY": 4, "MM": 2, "DD": 2, "hh": 2, "mm": 2, "ss": 2]
    private static let strftimeDigits: [Character: Int] = ["Y": 4, "m": 2, "d": 2, "H": 2, "M": 2, "S": 2]

    /// The template text as a regular expression; literal text is escaped.
    private static func translate(_ text: Substring) -> String {
        var out = ""
        var literal = ""
        func flush() { out += NSRegularExpression.escapedPattern(for: literal); literal = "" }
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            let next = text.index(after: i)
            if c == "%", next < text.endIndex {
                if let n = strftimeDigits[text[next]] { flush(); out += "\\d{\(n)}"; i = text.index(after: next); continue }
                if text[next] == "%" { literal.append("%"); i = text.index(after: next); continue }
            }
            if c == "{", let close = text[next...].firstIndex(of: "}") {
                let name = String(text[next..<close])
                if let n = digits[name] { flush(); out += "\\d{\(n)}"; i = text.index(after: close); continue }
                if name == "run_id" { flush(); out += "\\d{8}T\\d{6}Z-[0-9a-f]+"; i = text.index(after: close); continue }
            }
            literal.append(c)
            i = next
        }
        flush()
        return out
    }
}
