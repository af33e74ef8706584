import ETLCore

/// SQL written with named parameters (`WHERE region = :region`), split into the
/// text around them and the parameters themselves, so that each can be sent as a
/// bound `$n` and never spliced into the statement.
///
/// Only real parameters count: `:name` inside string literals ('…', E'…', $tag$…$tag$),
/// quoted identifiers and comments is text, and `::type` casts and `:=` are not
/// parameters. `$1`-style placeholders are refused: the connector numbers them.
struct NamedParameterSQL {
    enum Piece: Equatable {
        /// Text copied as written; `offset` counts Unicode scalars from the start of the option.
        case text(String, offset: Int)
        /// `:name` at `offset`.
        case parameter(String, offset: Int)
    }

    let pieces: [Piece]
    /// Parameter names in order of first use.
    var names: [String] {
        var seen: [String] = []
        for case .parameter(let name, _) in pieces where !seen.contains(name) { seen.append(name) }
        return seen
    }

    /// `:name` references and the scalar offset of each.
    var references: [(name: String, offset: Int)] {
        pieces.compactMap { if case .parameter(let n, let o) = $0 { return (n, o) } else { return nil } }
    }

    struct PositionalParameter: Error { let offset: Int }

    init(_ sql: String) throws {
        let s = Array(sql.unicodeScalars)
        var pieces: [Piece] = []
        var textStart = 0
        var i = 0
        func flushText(to end: Int) {
            if end > textStart { pieces.append(.text(String(String.UnicodeScalarView(s[textStart..<end])), offset: textStart)) }
        }
        func isIdentStart(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic }
        func isIdentPart(_ c: Unicode.Scalar) -> Bool { isIdentStart(c) || ("0"..."9").contains(c) || c == "$" }

        while i < s.count {
            let c = s[i]
            let next: Unicode.Scalar? = i + 1 < s.count ? s[i + 1] : nil
            switch c {
            case "'":
                // E'…' takes backslash escapes; '' is a quote in both kinds.
                let escapes = i > 0 && (s[i - 1] == "E" || s[i - 1] == "e") && (i < 2 || !isIdentPart(s[i - 2]))
                i += 1
                while i < s.count {
                    if escapes && s[i] == "\\" { i += 2; continue }
                    if s[i] == "'" {
                        if i + 1 < s.count && s[i + 1] == "'" { i += 2; continue }
                        break
                    }
                    i += 1
                }
                i += 1
            case "\"":
                i += 1
                while i < s.count {
                    if s[i] == "\"" {
                        if i + 1 < s.count && s[i + 1] == "\"" { i += 2; continue }
                        break
                    }
                    i += 1
                }
                i += 1
            case "-" where next == "-":
                while i < s.count && s[i] != "\n" { i += 1 }
            case "/" where next == "*":
                var depth = 1
                i += 2
                while i < s.count && depth > 0 {
                    if s[i] == "/" && i + 1 < s.count && s[i + 1] == "*" { depth += 1; i += 2 }
                    else if s[i] == "*" && i + 1 < s.count && s[i + 1] == "/" { depth -= 1; i += 2 }
                    else { i += 1 }
                }
            case "$":
                if let n = next, ("0"..."9").contains(n), i == 0 || !isIdentPart(s[i - 1]) { throw PositionalParameter(offset: i) }
                // $tag$ … $tag$ (tag may be empty), unless `$` is part of an identifier.
                guard i == 0 || !isIdentPart(s[i - 1]) else { i += 1; continue }
                var j = i + 1
                while j < s.count && s[j] != "$" && isIdentPart(s[j]) && !(j == i + 1 && ("0"..."9").contains(s[j])) { j += 1 }
                guard j < s.count && s[j] == "$" else { i += 1; continue }
                let tag = Array(s[i...j])
                var k = j + 1
                var found = s.count
                while k + tag.count <= s.count {
                    if s[k] == "$" && Array(s[k..<(k + tag.count)]) == tag { found = k; break }
                    k += 1
                }
                i = min(s.count, found + tag.count)
            case ":":
                if next == ":" || next == "=" { i += 2; continue }
                guard let n = next, isIdentStart(n) else { i += 1; continue }
                var j = i + 1
                while j < s.count && isIdentPart(s[j]) && s[j] != "$" { j += 1 }
                flushText(to: i)
                pieces.append(.parameter(String(String.UnicodeScalarView(s[(i + 1)..<j])), offset: i))
                i = j
                textStart = j
            default:
                i += 1
            }
        }
        flushText(to: s.count)
        self.pieces = pieces
    }
}
