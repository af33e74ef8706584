/// Just enough XML for S3's answers: the text of flat elements such as `<Key>`
/// or `<Code>`. S3 never nests an element inside one of the same name, so a
/// scan for open/close tags is exact here.
enum SimpleXML {
    /// Texts of every `<name>…</name>`, entities decoded, in document order.
    static func values(of name: String, in xml: String) -> [String] {
        elements(name, in: xml).map(unescape)
    }

    static func firstValue(of name: String, in xml: String) -> String? { values(of: name, in: xml).first }

    /// The raw inner text of every `<name>…</name>` (or `<name attr…>…</name>`).
    static func elements(_ name: String, in xml: String) -> [String] {
        var out: [String] = []
        var rest = Substring(xml)
        let close = "</\(name)>"
        while let open = rest.range(of: "<\(name)") {
            let afterName = rest[open.upperBound...]
            guard let next = afterName.first, next == ">" || next == " " || next == "/",
                  let tagEnd = afterName.firstIndex(of: ">") else {
                rest = afterName
                continue
            }
            if tagEnd > afterName.startIndex, afterName[afterName.index(before: tagEnd)] == "/" {   // <name/>
                out.append("")
                rest = afterName[afterName.index(after: tagEnd)...]
                continue
            }
            let contentStart = afterName.index(after: tagEnd)
            guard let end = afterName[contentStart...].range(of: close) else { break }
            out.append(String(afterName[contentStart..<end.lowerBound]))
            rest = afterName[end.upperBound...]
        }
        return out
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }

    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let tail = rest[amp...]
            guard let semi = tail.firstIndex(of: ";"), tail.distance(from: amp, to: semi) <= 10 else {
                out.append("&"); rest = tail.dropFirst(); continue
            }
            let entity = String(tail[tail.index(after: amp)..<semi])
            if let decoded = decodeEntity(entity) {
                out += decoded
            } else {
                out += tail[amp...semi]
            }
            rest = tail[tail.index(after: semi)...]
        }
        return out + rest
    }

    private static func decodeEntity(_ entity: String) -> String? {
        switch entity {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default:
            let code: UInt32?
            if entity.hasPrefix("#x") || entity.hasPrefix("#X") { code = UInt32(entity.dropFirst(2), radix: 16) }
            else if entity.hasPrefix("#") { code = UInt32(entity.dropFirst()) }
            else { code = nil }
            return code.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
        }
    }
}
