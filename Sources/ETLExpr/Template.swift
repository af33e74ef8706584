import Foundation
import ETLCore

/// A message with `{{ expr }}` placeholders, e.g.
/// `"{{ pipeline }} failed after {{ round(duration, 1) }}s: {{ error ?? \"unknown\" }}"`.
/// A placeholder that fails at render time shows `<error: …>` in place, so a
/// notification still goes out.
public struct Template: @unchecked Sendable, CustomStringConvertible {
    enum Part {
        case text(String)
        case expression(Expression)
    }

    public let source: String
    let parts: [Part]

    public var description: String { source }

    /// Names read by all placeholders together.
    public var referencedVariables: Set<String> {
        parts.reduce(into: Set<String>()) { names, part in
            if case .expression(let e) = part { names.formUnion(e.referencedVariables) }
        }
    }

    /// Throws `ExpressionError` with offsets counted in characters of the whole template.
    public init(_ text: String) throws {
        source = text
        let chars = Array(text)
        var parts: [Part] = []
        var literal = ""
        var i = 0
        while i < chars.count {
            guard chars[i] == "{", i + 1 < chars.count, chars[i + 1] == "{" else {
                literal.append(chars[i]); i += 1; continue
            }
            let open = i
            var j = i + 2
            while j + 1 < chars.count, !(chars[j] == "}" && chars[j + 1] == "}") { j += 1 }
            guard j + 1 < chars.count else {
                throw ExpressionError("'{{' is not closed", offset: open, length: 2, hint: "close the placeholder with }}")
            }
            let inner = String(chars[(open + 2)..<j])
            if inner.allSatisfy(\.isWhitespace) {
                throw ExpressionError("empty placeholder", offset: open, length: j + 2 - open, hint: "put an expression inside, e.g. {{ status }}")
            }
            do {
                let expression = try Expression.compile(inner)
                if !literal.isEmpty { parts.append(.text(literal)); literal = "" }
                parts.append(.expression(expression))
            } catch let e as ExpressionError {
                throw e.shifted(by: open + 2)
            }
            i = j + 2
        }
        if !literal.isEmpty { parts.append(.text(literal)) }
        self.parts = parts
    }

    public func render(record: Fields, variables: Fields? = nil, now: Date) -> String {
        render { try $0.evaluate(record: record, variables: variables, now: now) }
    }

    public func render(_ scope: Scope) -> String {
        render { try $0.evaluate(scope) }
    }

    /// Renders for a message that must be right or not sent (a customer mail):
    /// a placeholder that fails or is null throws instead of being shown in place.
    public func renderStrict(record: Fields, variables: Fields? = nil, now: Date) throws -> String {
        var out = ""
        for part in parts {
            switch part {
            case .text(let t): out += t
            case .expression(let e):
                let value = try e.evaluate(record: record, variables: variables, now: now)
                if value.isNull { throw ExpressionRuntimeError("{{ \(e.source.trimmingCharacters(in: .whitespaces)) }} is null") }
                out += value.text
            }
        }
        return out
    }

    private func render(_ evaluate: (Expression) throws -> Value) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .text(let t): out += t
            case .expression(let e):
                do { out += try evaluate(e).text } catch {
                    out += "<error: \(error)>"
                }
            }
        }
        return out
    }
}
