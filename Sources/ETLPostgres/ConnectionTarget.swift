import CLibPQ

/// What a connection string names, read with libpq's own parser so URIs and
/// `key=value` strings agree with what libpq connects to. Only host, port and
/// database ever reach a message; `secrets` tells callers what to keep out of theirs.
public struct ConnectionTarget {
    var host: String?
    var port: String?
    var database: String?
    var user: String?
    var password: String?
    /// The password as written (URL-encoded in a URI).
    var writtenPassword: String?

    public init(parsing conninfo: String) {
        writtenPassword = ConnectionTarget.passwordByHand(conninfo)
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            if let errorMessage { PQfreemem(errorMessage) }
            password = writtenPassword
            return
        }
        defer { PQconninfoFree(options) }
        var option = options
        while let keyword = option.pointee.keyword {
            if let raw = option.pointee.val {
                let value = String(cString: raw)
                switch String(cString: keyword) {
                case "host": host = value
                case "hostaddr": if host == nil { host = value }
                case "port": port = value
                case "dbname": database = value
                case "user": user = value
                case "password": password = value
                default: break
                }
            }
            option += 1
        }
    }

    /// The password, as parsed and as written: what must never be printed.
    public var secrets: [String] {
        [password, writtenPassword].compactMap { $0 }.filter { !$0.isEmpty }
    }

    /// `host:port/db` as best known before (or without) a connection.
    var endpoint: String {
        let h = host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        let p = port.flatMap { $0.isEmpty ? nil : $0 } ?? "5432"
        let d = database.flatMap { $0.isEmpty ? nil : $0 } ?? user ?? "postgres"
        return "\(h):\(p)/\(d)"
    }

    /// For strings libpq refuses to parse: still find the password,
    /// in `scheme://user:pass@` or `password=…` form.
    static func passwordByHand(_ text: String) -> String? {
        if let scheme = text.range(of: "://") {
            let authority = text[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" }
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                return String(authority[authority.index(after: colon)..<at])
            }
        }
        if let key = text.range(of: "password=") {
            var value = text[key.upperBound...]
            if value.hasPrefix("'") {
                value = value.dropFirst()
                return String(value.prefix { $0 != "'" })
            }
            return String(value.prefix { !$0.isWhitespace })
        }
        return nil
    }
}
