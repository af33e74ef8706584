import Foundation
import ETLCore

/// Splits expression text into tokens. Works on Characters so every offset it
/// reports is a character offset, as editors and YAML locations count them.
struct Lexer {
    private let chars: [Character]
    private var pos = 0

    init(_ source: String) { chars = Array(source) }

    static func tokenize(_ source: String) throws -> [Token] {
        var lexer = Lexer(source)
        var tokens: [Token] = []
        while true {
            let t = try lexer.next()
            tokens.append(t)
            if case .end = t.kind { return tokens }
        }
    }

    private func peek(_ ahead: Int = 0) -> Character? {
        pos + ahead < chars.count ? chars[pos + ahead] : nil
    }

    private mutating func next() throws -> Token {
        while let c = peek(), c.isWhitespace { pos += 1 }
        guard let c = peek() else { return Token(kind: .end, offset: chars.count, length: 0) }
        let start = pos
        if c.isLetter || c == "_" { return identifier(start) }
        if c.isASCII && c.isNumber { return try number(start) }
        if c == "\"" || c == "'" { return try string(start, quote: c) }
        return try op(start, c)
    }

    private mutating func identifier(_ start: Int) -> Token {
        while let c = peek(), c.isLetter || c == "_" || (c.isASCII && c.isNumber) { pos += 1 }
        let word = String(chars[start..<pos])
        if let k = Token.Keyword(rawValue: word) {
            switch k {
            case .true: return Token(kind: .literal(.bool(true)), offset: start, length: pos - start)
            case .false: return Token(kind: .literal(.bool(false)), offset: start, length: pos - start)
            case .null: return Token(kind: .literal(.null), offset: start, length: pos - start)
            default: return Token(kind: .keyword(k), offset: start, length: pos - start)
            }
        }
        return Token(kind: .identifier(word), offset: start, length: pos - start)
    }

    private func isDigit(_ c: Character?) -> Bool { c.map { $0.isASCII && $0.isNumber } ?? false }

    private mutating func number(_ start: Int) throws -> Token {
        while isDigit(peek()) { pos += 1 }
        var isFloat = false
        if peek() == ".", isDigit(peek(1)) {
            isFloat = true
            pos += 1
            while isDigit(peek()) { pos += 1 }
        }
        var hasExponent = false
        if let e = peek(), e == "e" || e == "E",
           isDigit(peek(1)) || ((peek(1) == "+" || peek(1) == "-") && isDigit(peek(2))) {
            isFloat = true; hasExponent = true
            pos += 2
            while isDigit(peek()) { pos += 1 }
        }
        let numeric = String(chars[start..<pos])
        // A letter right after the digits makes a decimal (`1.5d`) or a duration (`15m`, `1h30m`).
        if let c = peek(), c.isASCII && c.isLetter {
            while let c = peek(), c.isASCII && (c.isLetter || c.isNumber || c == ".") { pos += 1 }
            let whole = String(chars[start..<pos])
            let suffix = whole.dropFirst(numeric.count)
            if suffix == "d", let d = Decimal(string: numeric, locale: Locale(identifier: "en_US_POSIX")) {
                return Token(kind: .literal(.decimal(d)), offset: start, length: pos - start)
            }
            if !hasExponent, let seconds = Lexer.durationSeconds(whole) {
                return Token(kind: .literal(.double(seconds)), offset: start, length: pos - start)
            }
            throw ExpressionError("'\(whole)' is not a number, decimal or duration", offset: start, length: pos - start,
                                  hint: "durations use ms, s, m, h, d, w (15m, 1h30m, 500ms); a decimal ends in d (0.1d)")
        }
        if isFloat {
            guard let d = Double(numeric) else { throw ExpressionError("bad number '\(numeric)'", offset: start, length: pos - start) }
            return Token(kind: .literal(.double(d)), offset: start, length: pos - start)
        }
        guard let i = Int64(numeric) else {
            throw ExpressionError("integer \(numeric) is too large", offset: start, length: pos - start,
                                  hint: "write it as a decimal literal: \(numeric)d")
        }
        return Token(kind: .literal(.int(i)), offset: start, length: pos - start)
    }

    /// `1h30m` → 5400. A lone `Nd` never gets here: that is a decimal literal.
    static func durationSeconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604_800)]
        var rest = Substring(text)
        var total = 0.0
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !digits.isEmpty, let n = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let (unit, factor) = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.count)
            total += n * factor
        }
        return total
    }

    private mutating func string(_ start: Int, quote: Character) throws -> Token {
        pos += 1
        var out = ""
        while true {
            guard let c = peek() else {
                throw ExpressionError("string is not closed", offset: start, length: pos - start,
                                      hint: "add the closing \(quote)")
            }
            pos += 1
            if c == quote { break }
            if c != "\\" { out.append(c); continue }
            let escapeStart = pos - 1
            guard let e = peek() else { continue }
            pos += 1
            switch e {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "0": out.append("\0")
            case "\\", "\"", "'": out.append(e)
            case "u": out.unicodeScalars.append(try unicodeEscape(escapeStart))
            default:
                throw ExpressionError("unknown escape '\\\(e)' in string", offset: escapeStart, length: 2,
                                      hint: "escapes are \\n \\t \\r \\\\ \\\" \\' \\u{1F600}")
            }
        }
        return Token(kind: .literal(.string(out)), offset: start, length: pos - start)
    }

    /// `\u{1F600}` or `\u00e9`.
    private mutating func unicodeEscape(_ escapeStart: Int) throws -> Unicode.Scalar {
        var hex = ""
        if peek() == "{" {
            pos += 1
            while let c = peek(), c != "}" { hex.append(c); pos += 1; if hex.count > 8 { break } }
            if peek() == "}" { pos += 1 } else { hex = "" }
        } else {
            for _ in 0..<4 { if let c = peek(), c.isHexDigit { hex.append(c); pos += 1 } }
            if hex.count != 4 { hex = "" }
        }
        guard let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) else {
            throw ExpressionError("bad unicode escape", offset: escapeStart, length: pos - escapeStart,
                                  hint: "write \\u{e9} or \\u00e9")
        }
        return scalar
    }

    private mutating func op(_ start: Int, _ c: Character) throws -> Token {
        let two = peek(1).map { String(c) + String($0) }
        if let two, ["==", "!=", "<=", ">=", "&&", "||", "??"].contains(two) {
            pos += 2
            return Token(kind: .op(two), offset: start, length: 2)
        }
        switch c {
        case "+", "-", "*", "/", "%", "<", ">", "!", "(", ")", "[", "]", ",", ".":
            pos += 1
            return Token(kind: .op(String(c)), offset: start, length: 1)
        case "=":
            throw ExpressionError("'=' is not an operator", offset: start, hint: "use '==' to compare")
        case "&":
            throw ExpressionError("'&' is not an operator", offset: start, hint: "use 'and' (or '&&')")
        case "|":
            throw ExpressionError("'|' is not an operator", offset: start, hint: "use 'or' (or '||')")
        default:
            throw ExpressionError("unexpected character '\(c)'", offset: start)
        }
    }
}
