import Foundation

/// Knows one run's secrets (tokens, passwords, webhook URLs) and scrubs them
/// from text that leaves the process: log lines, printed errors, notifier
/// payloads, dry-run output. It works on the raw secret values — and their
/// URL-encoded forms — so a password that makes its URL unparseable (a `/` in
/// it) is still masked. One per run (or command), carried by its logger.
public final class Redactor: @unchecked Sendable {
    private let lock = NSLock()
    private var secrets: [String] = []
    /// The secrets whose quoted pieces are masked too: not whole URLs (every quoted URL
    /// shares "https" with a webhook); a password inside a URL is a secret of its own.
    private var pieceSources: [String] = []

    public init(secrets: [String] = []) { secrets.forEach(add) }

    /// Adds a secret, with its percent-encoded and percent-decoded forms.
    public func add(_ secret: String) {
        let s = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        guard s.count >= 4 else { return }
        var forms = [s]
        if let encoded = s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) { forms.append(encoded) }
        if let decoded = s.removingPercentEncoding { forms.append(decoded) }
        lock.lock(); defer { lock.unlock() }
        for form in forms where form.count >= 4 && !secrets.contains(form) { secrets.append(form) }
        secrets.sort { $0.count > $1.count }   // longest first, so a URL is masked whole
        if !s.contains("://") { pieceSources += forms.filter { $0.count >= 4 && !pieceSources.contains($0) } }
    }

    public func add(contentsOf list: [String]) { list.forEach(add) }

    /// A new redactor knowing these secrets and more: a run's own, on top of the command's.
    public func including(_ more: [String]) -> Redactor {
        lock.lock(); let mine = secrets, pieces = pieceSources; lock.unlock()
        let copy = Redactor()
        copy.secrets = mine
        copy.pieceSources = pieces
        copy.add(contentsOf: more)
        return copy
    }

    /// `quotedPieces: false` for text whose quotes are structure, not quoting (a JSON log
    /// line whose message was already redacted): there every value is "quoted".
    public func redact(_ text: String) -> String { redact(text, quotedPieces: true) }

    public func redact(_ text: String, quotedPieces: Bool) -> String {
        lock.lock(); let list = secrets, pieces = pieceSources; lock.unlock()
        var out = text
        for s in list where out.contains(s) { out = out.replacingOccurrences(of: s, with: "***") }
        if quotedPieces && !pieces.isEmpty && out.contains("\"") { out = Self.maskQuotedFragments(out, pieces) }
        return Self.maskURLPasswords(out)
    }

    /// Libraries quote the piece of input they choke on — libpq, given a URL whose
    /// password holds a `/` or `%`, says `invalid integer value "S3c"` or `invalid
    /// percent-encoded token: "ret%x@db…"`: a piece of the password, never the whole.
    /// A quoted token that shares four characters with a secret (or is a piece of one)
    /// is masked whole.
    static func maskQuotedFragments(_ text: String, _ secrets: [String]) -> String {
        var parts = text.components(separatedBy: "\"")
        guard parts.count >= 3 else { return text }
        for i in stride(from: 1, to: parts.count - 1, by: 2) where sharesPiece(parts[i], secrets) { parts[i] = "***" }
        return parts.joined(separator: "\"")
    }

    private static func sharesPiece(_ token: String, _ secrets: [String]) -> Bool {
        guard token.count >= 3, token != "***" else { return false }
        for secret in secrets {
            if secret.contains(token) { return true }
            let characters = Array(secret)
            let width = characters.count >= 8 ? 5 : 4
            guard characters.count >= width else { continue }
            for start in 0...(characters.count - width) where token.contains(String(characters[start..<start + width])) { return true }
        }
        return false
    }

    /// `postgres://user:pass@host` → `postgres://user:***@host`, wherever it appears:
    /// a safety net for URLs that were never registered as secrets.
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
        return ["TOKEN", "PASSWORD", "SECRET", "PASSWD", "API_KEY", "APIKEY", "WEBHOOK", "PRIVATE", "CREDENTIAL", "ACCESS_KEY"]
            .contains { n.contains($0) }
    }

    /// Passwords written inside URLs (`scheme://user:password@host`). The password is
    /// taken up to the last `@` of the authority-and-beyond, not by parsing the URL,
    /// so `postgresql://etl:S3c/ret@db/x` gives `S3c/ret` although it does not parse.
    public static func urlPasswords(in text: String) -> [String] {
        var found: [String] = []
        var rest = Substring(text)
        while let schemeEnd = rest.range(of: "://") {
            rest = rest[schemeEnd.upperBound...]
            let end = rest.firstIndex(where: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\"" }) ?? rest.endIndex
            let candidate = rest[..<end]
            guard let at = candidate.lastIndex(of: "@") else { continue }
            let userinfo = candidate[..<at]
            guard let colon = userinfo.firstIndex(of: ":"), !userinfo[..<colon].contains("/") else { continue }
            let password = String(userinfo[userinfo.index(after: colon)...])
            if !password.isEmpty { found.append(password) }
        }
        return found
    }

    /// Passwords in libpq keyword strings: `host=db password=secret` or `password='a b'`.
    public static func keywordPasswords(in text: String) -> [String] {
        var found: [String] = []
        var rest = Substring(text)
        while let key = rest.range(of: "password") {
            rest = rest[key.upperBound...].drop(while: { $0 == " " })
            guard rest.first == "=" else { continue }
            rest = rest.dropFirst().drop(while: { $0 == " " })
            if rest.first == "'" {
                let value = rest.dropFirst().prefix(while: { $0 != "'" })
                found.append(String(value)); rest = rest.dropFirst(value.count + 1)
            } else {
                let value = rest.prefix(while: { !$0.isWhitespace })
                found.append(String(value)); rest = rest.dropFirst(value.count)
            }
        }
        return found.filter { !$0.isEmpty }
    }

    /// The secrets an environment holds: values of secret-looking names, and
    /// passwords inside any URL-valued variable (DATABASE_URL, ARCHIVE_URL …).
    public static func secrets(inEnvironment environment: [String: String]) -> [String] {
        var out: [String] = []
        for (name, value) in environment where !value.isEmpty {
            // Flags such as WEBHOOK_ENABLED=true are not secrets; masking "true" everywhere would hide everything.
            if looksSecret(name), value.count >= 6 { out.append(value) }
            out += urlPasswords(in: value) + keywordPasswords(in: value)
        }
        return out
    }
}
