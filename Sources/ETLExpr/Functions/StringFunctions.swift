import Foundation
import ETLCore

/// Text functions. A null text argument gives null (a missing field stays missing).
enum StringFunctions {
    static let specs: [FunctionSpec] = [
        FunctionSpec("lower", "lower(s) -> string", "Lower-cases text (Unicode aware).", arity: 1...1,
                     parameters: [.string], returns: .string, .unary { v in
            if case .string(let s) = v { return .string(s.lowercased()) }
            return v.isNull ? .null : .string(try Args.string(v, "lower").lowercased())
        }),
        FunctionSpec("upper", "upper(s) -> string", "Upper-cases text (Unicode aware: \"straße\" → \"STRASSE\").", arity: 1...1,
                     parameters: [.string], returns: .string, .unary { v in
            if case .string(let s) = v { return .string(s.uppercased()) }
            return v.isNull ? .null : .string(try Args.string(v, "upper").uppercased())
        }),
        FunctionSpec("trim", "trim(s) -> string", "Removes leading and trailing whitespace and newlines.", arity: 1...1,
                     parameters: [.string], returns: .string, .unary { v in
            v.isNull ? .null : .string(trim(try Args.string(v, "trim")))
        }),
        FunctionSpec("split", "split(s, sep) -> list", "Splits text on a separator; an empty separator splits into characters.",
                     arity: 2...2, parameters: [.string, .string], returns: .array, .binary { s, sep in
            if s.isNull { return .null }
            let text = try Args.string(s, "split"), separator = try Args.string(sep, "split", 2)
            if separator.isEmpty { return .array(text.map { .string(String($0)) }) }
            return .array(text.components(separatedBy: separator).map { .string($0) })
        }),
        FunctionSpec("join", "join(list, sep) -> string", "Joins the text form of a list's items with a separator (null items are empty).",
                     arity: 2...2, parameters: [.array, .string], returns: .string, .binary { list, sep in
            if list.isNull { return .null }
            let items = try Args.array(list, "join"), separator = try Args.string(sep, "join", 2)
            return .string(items.map(\.text).joined(separator: separator))
        }),
        FunctionSpec("replace", "replace(s, old, new) -> string", "Replaces every occurrence of `old` with `new`.",
                     arity: 3...3, parameters: [.string, .string, .string], returns: .string, .variadic { a in
            if a[0].isNull { return .null }
            let s = try Args.string(a[0], "replace"), old = try Args.string(a[1], "replace", 2), new = try Args.string(a[2], "replace", 3)
            return .string(old.isEmpty ? s : s.replacingOccurrences(of: old, with: new))
        }),
        FunctionSpec("substr", "substr(s, start, len?) -> string",
                     "Characters from `start` (0-based; negative counts from the end), at most `len` of them. Out-of-range parts are clipped.",
                     arity: 2...3, parameters: [.string, .number, .number], returns: .string, .variadic { a in
            if a[0].isNull { return .null }
            let s = try Args.string(a[0], "substr")
            var start = try Args.int(a[1], "substr", 2)
            let count = s.count
            if start < 0 { start = max(0, count + start) }
            start = min(start, count)
            var length = count - start
            if a.count == 3, !a[2].isNull {
                let l = try Args.int(a[2], "substr", 3)
                guard l >= 0 else { throw ExpressionRuntimeError("substr: length must not be negative, got \(l)") }
                length = min(l, length)
            }
            let from = s.index(s.startIndex, offsetBy: start)
            return .string(String(s[from..<s.index(from, offsetBy: length)]))
        }),
        FunctionSpec("concat", "concat(a, b, ...) -> string", "Joins the text form of every argument; null adds nothing.",
                     arity: 1...1, variadic: true, parameters: [.any], returns: .string, .variadic { a in
            var out = ""
            for v in a { if case .string(let s) = v { out += s } else { out += v.text } }
            return .string(out)
        }),
        FunctionSpec("format", "format(template, a, b, ...) -> string",
                     "Fills each `{}` in the template with the next argument's text: format(\"{} of {}\", done, total).",
                     arity: 1...1, variadic: true, parameters: [.string, .any], returns: .string, .variadic { a in
            try .string(format(a))
        }),
        FunctionSpec("starts_with", "starts_with(s, prefix) -> bool", "Whether text starts with the prefix.", arity: 2...2,
                     parameters: [.string, .string], returns: .bool, .binary { s, p in
            s.isNull ? .null : .bool(try Args.string(s, "starts_with").hasPrefix(try Args.string(p, "starts_with", 2)))
        }),
        FunctionSpec("ends_with", "ends_with(s, suffix) -> bool", "Whether text ends with the suffix.", arity: 2...2,
                     parameters: [.string, .string], returns: .bool, .binary { s, p in
            s.isNull ? .null : .bool(try Args.string(s, "ends_with").hasSuffix(try Args.string(p, "ends_with", 2)))
        }),
        FunctionSpec("contains", "contains(s|list, x) -> bool", "Whether text contains a substring, or a list contains an item.",
                     arity: 2...2, parameters: [[.string, .array], .any], returns: .bool, .binary { c, x in
            switch c {
            case .null: return .null
            case .string(let s): return .bool(s.contains(try Args.string(x, "contains", 2)))
            case .array(let items): return .bool(items.contains { Comparison.equal($0, x) })
            default: throw Args.wrongType(c, "contains", 1, "a string or a list")
            }
        }),
        FunctionSpec("matches", "matches(s, regex) -> bool",
                     "Whether the regular expression (ICU syntax) matches anywhere in the text; anchor with ^ and $.",
                     arity: 2...2, parameters: [.string, .string], returns: .bool, .binary { s, pattern in
            if s.isNull { return .null }
            let regex = try compileRegex(try Args.string(pattern, "matches", 2))
            return .bool(regexMatches(regex, try Args.string(s, "matches")))
        }),
    ]

    /// Whitespace and newlines off both ends; text that needs no trimming is returned as is, without copying.
    static func trim(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return s }
        if !first.properties.isWhitespace && !last.properties.isWhitespace { return s }
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[start...end])
    }

    static func format(_ a: [Value]) throws -> String {
        let template = try Args.string(a[0], "format")
        var out = ""
        var next = 1
        var rest = Substring(template)
        while let r = rest.range(of: "{}") {
            out += rest[..<r.lowerBound]
            guard next < a.count else {
                throw ExpressionRuntimeError("format: the template has more {} than the \(a.count - 1) value(s) given")
            }
            out += a[next].text
            next += 1
            rest = rest[r.upperBound...]
        }
        out += rest
        return out
    }

    static func placeholderCount(_ template: String) -> Int {
        template.components(separatedBy: "{}").count - 1
    }

    static func compileRegex(_ pattern: String) throws -> NSRegularExpression {
        do { return try NSRegularExpression(pattern: pattern) } catch {
            throw ExpressionRuntimeError("matches: invalid regular expression \"\(pattern)\"")
        }
    }

    static func regexMatches(_ regex: NSRegularExpression, _ s: String) -> Bool {
        regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }
}
