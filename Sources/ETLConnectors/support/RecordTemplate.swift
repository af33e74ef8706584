import Foundation
import ETLCore
import ETLExpr

/// A `{{ expr }}` template rendered per record that FAILS when a placeholder
/// fails, instead of printing `<error: …>` in place like `Template` does for
/// notifications: a customer must never get a mail saying `<error: …>`.
struct RecordTemplate {
    enum Part {
        case text(String)
        case expression(Expression)
    }

    let source: String
    let parts: [Part]

    /// Throws `ExpressionError` with offsets counted in characters of the whole template.
    init(_ text: String) throws {
        // `Template` is the one parser of the syntax (and its error positions); parsing
        // again below only splits what it accepted.
        _ = try Expression.compileTemplate(text)
        source = text
        let chars = Array(text)
        var parts: [Part] = []
        var literal = ""
        var i = 0
        while i < chars.count {
            guard chars[i] == "{", i + 1 < chars.count, chars[i + 1] == "{" else {
                literal.append(chars[i]); i += 1; continue
            }
            var j = i + 2
            while j + 1 < chars.count, !(chars[j] == "}" && chars[j + 1] == "}") { j += 1 }
            if !literal.isEmpty { parts.append(.text(literal)); literal = "" }
            parts.append(.expression(try Expression.compile(String(chars[(i + 2)..<j]))))
            i = j + 2
        }
        if !literal.isEmpty { parts.append(.text(literal)) }
        self.parts = parts
    }

    /// The rendered text; throws when a placeholder fails or is null (an empty
    /// tracking number is a broken message, not a blank to leave in it).
    func render(record: Fields, variables: Fields?, now: Date) throws -> String {
        var out = ""
        for part in parts {
            switch part {
            case .text(let t): out += t
            case .expression(let e):
                let value = try e.evaluate(record: record, variables: variables, now: now)
                if value.isNull { throw ETLError("{{ \(e.source.trimmingCharacters(in: .whitespaces)) }} is null") }
                out += value.text
            }
        }
        return out
    }
}
