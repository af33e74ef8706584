import Foundation
import ETLCore

/// Compares what a test expects with what the transforms produced, and says where
/// they differ. Numbers compare by value (YAML's 5 is the pipeline's 5.0 or decimal 5),
/// a timestamp equals its ISO text, objects by their fields in any order.
enum ValueMatch {
    static func differences(expected: Value, actual: Value, path: String) -> [String] {
        switch (expected, actual) {
        case (.object(let e), .object(let a)):
            var out: [String] = []
            for (key, value) in e {
                let at = path.isEmpty ? key : "\(path).\(key)"
                guard let other = a[key] else { out.append("\(at): expected \(show(value)), field missing"); continue }
                out += differences(expected: value, actual: other, path: at)
            }
            for (key, value) in a where e[key] == nil {
                out.append("\(path.isEmpty ? key : "\(path).\(key)"): not expected, got \(show(value))")
            }
            return out
        case (.array(let e), .array(let a)):
            guard e.count == a.count else { return ["\(path): expected \(e.count) items \(show(expected)), got \(a.count) \(show(actual))"] }
            return zip(e, a).enumerated().flatMap { differences(expected: $1.0, actual: $1.1, path: "\(path)[\($0)]") }
        default:
            return equal(expected, actual) ? [] : ["\(path): expected \(show(expected)), got \(show(actual))"]
        }
    }

    static func equal(_ e: Value, _ a: Value) -> Bool {
        if e == a { return true }
        if let x = number(e), let y = number(a) { return x == y }
        switch (e, a) {
        case (.string(let s), .timestamp), (.timestamp, .string(let s)):
            let t = e.isString ? a : e
            return JSONWriter.string(t) == JSONWriter.string(.string(s))
        default: return false
        }
    }

    static func number(_ v: Value) -> Decimal? {
        switch v {
        case .int(let i): return Decimal(i)
        case .double(let d): return Decimal(d)
        case .decimal: return Decimal(string: v.text)
        default: return nil
        }
    }

    static func show(_ v: Value) -> String { JSONWriter.string(v) }
}

private extension Value {
    var isString: Bool { if case .string = self { return true } else { return false } }
}
