import ETLCore
import Foundation

/// Object keys for archived payloads, from a template and the run time (UTC).
///
/// Placeholders: `{YYYY} {MM} {DD} {hh} {mm} {ss}` and the strftime-style
/// `%Y %m %d %H %M %S` (`%%` is a literal `%`). Anything else is kept as written.
public enum ArchiveKeyTemplate {
    /// Rendered by `Timestamps.format`, the one UTC strftime renderer.
    public static func render(_ template: String, date: Date) -> String {
        Timestamps.format(date, strftimePattern(template))
    }

    private static let braceCodes = ["YYYY": "%Y", "MM": "%m", "DD": "%d", "hh": "%H", "mm": "%M", "ss": "%S"]
    private static let strftimeCodes: Set<Character> = ["Y", "m", "d", "H", "M", "S", "%"]

    /// The template in strftime terms alone: `{YYYY}` → `%Y` …, and a `%` that
    /// starts no code → `%%`, so it stays a literal `%` whatever follows it.
    static func strftimePattern(_ template: String) -> String {
        var out = ""
        var i = template.startIndex
        while i < template.endIndex {
            let c = template[i]
            let next = template.index(after: i)
            if c == "%" {
                if next < template.endIndex, strftimeCodes.contains(template[next]) {
                    out.append(c)
                    out.append(template[next])
                    i = template.index(after: next)
                } else {
                    out += "%%"
                    i = next
                }
                continue
            }
            if c == "{", let close = template[next...].firstIndex(of: "}"), let code = braceCodes[String(template[next..<close])] {
                out += code
                i = template.index(after: close)
                continue
            }
            out.append(c)
            i = next
        }
        return out
    }

    /// The part of a template before its first placeholder: the prefix every
    /// rendered key shares, which is what retention should be applied under.
    /// `inventory-sync/%Y-%m-%d/x.json` → `inventory-sync/`.
    public static func fixedPrefix(of template: String) -> String {
        var end = template.endIndex
        if let p = template.firstIndex(of: "%") { end = min(end, p) }
        if let b = template.firstIndex(of: "{") { end = min(end, b) }
        return String(template[..<end])
    }
}
