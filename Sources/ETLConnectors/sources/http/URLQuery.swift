import Foundation

/// Query-string editing for paginated and incremental requests: parameters are
/// set (replacing any of the same name already in the URL) and percent-encoded,
/// so a cursor like `2024-05-01T10:00:00+02:00` arrives with its `+` intact.
enum URLQuery {
    /// `url` with each parameter set to its value; other parameters and the fragment are kept.
    static func setting(_ url: String, _ parameters: [(name: String, value: String)]) -> String {
        guard !parameters.isEmpty else { return url }
        var base = Substring(url)
        var fragment = ""
        if let hash = base.firstIndex(of: "#") { fragment = String(base[hash...]); base = base[..<hash] }
        var pairs: [Substring] = []
        if let question = base.firstIndex(of: "?") {
            pairs = base[base.index(after: question)...].split(separator: "&", omittingEmptySubsequences: true)
            base = base[..<question]
        }
        let names = Set(parameters.map(\.name))
        pairs.removeAll { pair in
            let name = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? pair
            return names.contains(String(name).removingPercentEncoding ?? String(name))
        }
        var query = pairs.map(String.init)
        for (name, value) in parameters { query.append(encode(name) + "=" + encode(value)) }
        return String(base) + "?" + query.joined(separator: "&") + fragment
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters.
    static func encode(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// The `rel="next"` target of `Link` header values (RFC 8288), resolved against `current`.
    static func nextLink(_ headerValues: [String], relativeTo current: String) -> String? {
        for value in headerValues {
            for link in splitLinks(value) {
                guard let open = link.firstIndex(of: "<"), let close = link.firstIndex(of: ">"), open < close else { continue }
                let target = String(link[link.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
                let params = link[link.index(after: close)...].split(separator: ";").map {
                    $0.trimmingCharacters(in: .whitespaces).lowercased()
                }
                let isNext = params.contains { p in
                    guard p.hasPrefix("rel=") else { return false }
                    let rels = p.dropFirst(4).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                    return rels.split(separator: " ").contains("next")
                }
                guard isNext, !target.isEmpty else { continue }
                if target.contains("://") { return target }
                return URL(string: target, relativeTo: URL(string: current))?.absoluteString ?? target
            }
        }
        return nil
    }

    /// Splits `<a>; rel="next", <b>; rel="last"` at the commas between links (not inside `<…>` or quotes).
    private static func splitLinks(_ value: String) -> [Substring] {
        var out: [Substring] = []
        var start = value.startIndex
        var inAngle = false, inQuote = false
        var i = value.startIndex
        while i < value.endIndex {
            switch value[i] {
            case "<" where !inQuote: inAngle = true
            case ">" where !inQuote: inAngle = false
            case "\"" where !inAngle: inQuote.toggle()
            case "," where !inAngle && !inQuote:
                out.append(value[start..<i]); start = value.index(after: i)
            default: break
            }
            i = value.index(after: i)
        }
        out.append(value[start...])
        return out
    }
}
