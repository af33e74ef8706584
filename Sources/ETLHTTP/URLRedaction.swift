/// Makes a URL safe to print: the userinfo password and every query value are
/// masked (tokens often travel as `?api_key=…`).
public enum URLRedaction {
    public static func redact(_ url: String) -> String {
        var text = url
        if let q = text.firstIndex(of: "?") {
            let fragmentStart = text[q...].firstIndex(of: "#") ?? text.endIndex
            let query = text[text.index(after: q)..<fragmentStart]
            let masked = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
                guard let eq = pair.firstIndex(of: "=") else { return String(pair) }
                return pair[..<eq] + "=***"
            }.joined(separator: "&")
            text = String(text[...q]) + masked + String(text[fragmentStart...])
        }
        return maskUserInfo(text)
    }

    /// `https://user:pw@host/` → `https://user:***@host/`; `https://token@host/` → `https://***@host/`.
    static func maskUserInfo(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return url }
        let userInfo = authority[..<at]
        let maskedUserInfo: String
        if let colon = userInfo.firstIndex(of: ":") {
            maskedUserInfo = userInfo[..<colon] + ":***"
        } else {
            maskedUserInfo = "***"
        }
        return String(url[..<schemeEnd.upperBound]) + maskedUserInfo + String(rest[at...])
    }
}
