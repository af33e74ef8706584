import Foundation

/// Object keys for archived payloads, from a template and the run time (UTC).
///
/// Placeholders: `{YYYY} {MM} {DD} {hh} {mm} {ss}` and the strftime-style
/// `%Y %m %d %H %M %S` (`%%` is a literal `%`). Anything else is kept as written.
public enum ArchiveKeyTemplate {
    public static func render(_ template: String, date: Date) -> String {
        let t = UTCDateParts(date)
        let values: [String: String] = [
            "YYYY": UTCDateParts.pad(t.year, 4), "MM": UTCDateParts.pad(t.month, 2), "DD": UTCDateParts.pad(t.day, 2),
            "hh": UTCDateParts.pad(t.hour, 2), "mm": UTCDateParts.pad(t.minute, 2), "ss": UTCDateParts.pad(t.second, 2),
        ]
        let strftime: [Character: String] = [
            "Y": values["YYYY"] ?? "", "m": values["MM"] ?? "", "d": values["DD"] ?? "",
            "H": values["hh"] ?? "", "M": values["mm"] ?? "", "S": values["ss"] ?? "", "%": "%",
        ]
        var out = ""
        var i = template.startIndex
        while i < template.endIndex {
            let c = template[i]
            let next = template.index(after: i)
            if c == "%", next < template.endIndex, let v = strftime[template[next]] {
                out += v
                i = template.index(after: next)
                continue
            }
            if c == "{", let close = template[next...].firstIndex(of: "}"), let v = values[String(template[next..<close])] {
                out += v
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
