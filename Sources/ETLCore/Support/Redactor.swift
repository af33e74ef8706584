import Foundation

/// Keeps every resolved secret (tokens, passwords, webhook URLs) and scrubs
/// them from whatever is about to be printed: logs, errors, dry-run output.
public final class Redactor: @unchecked Sendable {
    public static let shared = Redactor()
    private let lock = NSLock()
    private var secrets: [String] = []

    public func add(_ secret: String) {
        let s = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        guard s.count >= 4 else { return }
        lock.lock(); defer { lock.unlock() }
        if !secrets.contains(s) {
            secrets.append(s)
            secrets.sort { $0.count > $1.count }   // longest first, so a URL is masked whole
        }
    }

    public func redact(_ text: String) -> String {
        lock.lock(); let list = secrets; lock.unlock()
        var out = text
        for s in list where out.contains(s) { out = out.replacingOccurrences(of: s, with: "***") }
        return Redactor.maskURLPasswords(out)
    }

    /// `postgres://user:pass@host` → `postgres://user:***@host`, wherever it appears.
    static func maskURLPasswords(_ text: String) -> String {
        guard text.contains("://"), text.contains("@") else { return text }
        var result = ""
        var rest = Substring(text)
        while let schemeEnd = rest.range(of: "://") {
            result += rest[..<schemeEnd.upperBound]
            rest = rest[schemeEnd.upperBound...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == " " || $0 == "\n" || $0 == "?" || $0 == "\"" }) ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                result += authority[..<colon] + ":***" + authority[at...]
                rest = rest[authorityEnd...]
            }
        }
        return result + rest
    }

    /// Names whose values are secrets even when the option type does not say so.
    public static func looksSecret(_ name: String) -> Bool {
        let n = name.uppercased()
        return ["TOKEN", "PASSWORD", "SECRET", "PASSWD", "API_KEY", "WEBHOOK", "PRIVATE", "CREDENTIAL"]
            .contains { n.contains($0) }
    }
}
