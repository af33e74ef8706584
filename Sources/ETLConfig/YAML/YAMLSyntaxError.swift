import CYAML
import ETLCore

/// Turns libyaml's error state into a diagnostic a person can act on: the
/// position of the problem, libyaml's own words, and a hint for the usual causes.
enum YAMLSyntaxError {
    static func diagnostic(_ parser: yaml_parser_t, source: [UInt8], file: String) -> Diagnostic {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        let lines = SourceLines(source)

        if parser.error == YAML_READER_ERROR {
            // Reader errors (bad encoding) carry a byte offset instead of a mark.
            let (line, column) = SourceLines.position(ofByteOffset: Int(parser.problem_offset), in: source)
            return Diagnostic(.error, "YAML syntax error: \(problem)", at: SourceLocation(file: file, line: line, column: column),
                              hint: "save the file as UTF-8")
        }
        if parser.error == YAML_MEMORY_ERROR {
            return Diagnostic(.error, "YAML parser ran out of memory", at: SourceLocation(file: file, line: 1, column: 1), hint: nil)
        }

        let line = Int(parser.problem_mark.line) + 1
        let column = Int(parser.problem_mark.column) + 1
        if let tabColumn = lines.tabInIndentation(line: line) {
            return Diagnostic(.error, "tabs are not allowed for indentation; use spaces",
                              at: SourceLocation(file: file, line: line, column: tabColumn),
                              hint: "replace the tab at the start of this line with spaces (YAML forbids tabs in indentation)")
        }
        if lines.character(line: line, column: column) == "\t" {
            return Diagnostic(.error, "a tab character cannot be used here; use spaces",
                              at: SourceLocation(file: file, line: line, column: column),
                              hint: "replace the tab with spaces (YAML does not allow tabs as separators here)")
        }

        var message = "YAML syntax error: \(problem)"
        let context = parser.context.map { String(cString: $0) }
        if let context, !context.isEmpty {
            message += " (\(context) at line \(Int(parser.context_mark.line) + 1))"
        }
        // `[${A}]` breaks because `{` opens a flow mapping: say so rather than talk about commas.
        let flowHint = lines.text(line: line).contains("${") && (context ?? "").contains("flow")
            ? "inside [ ] or { }, quote values that use ${…}: \"${VAR}\"" : nil
        return Diagnostic(.error, message, at: SourceLocation(file: file, line: line, column: column),
                          hint: flowHint ?? hint(for: problem))
    }

    private static func hint(for problem: String) -> String {
        if problem.contains("mapping values are not allowed") {
            return "a value containing ': ' must be quoted, or this line's indentation is off"
        }
        if problem.contains("did not find expected key") {
            return "check the indentation: keys of one mapping must start in the same column"
        }
        if problem.contains("did not find expected '-' indicator") {
            return "check the indentation: items of one list must start in the same column"
        }
        if problem.contains("cannot start any token") {
            return "quote the value: plain values cannot start with @ or `"
        }
        if problem.contains("end of stream") || problem.contains("unexpected end") {
            return "a quoted string, [list] or {mapping} is not closed"
        }
        if problem.contains("did not find expected ',' or ']'") || problem.contains("did not find expected ',' or '}'") {
            return "close the flow collection, or quote the value if it contains a comma or bracket"
        }
        if problem.contains("alias") || problem.contains("anchor") {
            return "anchor and alias names may use letters, digits, '-' and '_'"
        }
        return "check the YAML syntax at this position (indentation, quotes, colons)"
    }
}

/// The source split into lines, for looking at what libyaml pointed to.
/// Columns count Unicode scalars from 1, like libyaml's marks.
struct SourceLines {
    private let lines: [[Unicode.Scalar]]

    init(_ source: [UInt8]) {
        var text = String(decoding: source, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var result: [[Unicode.Scalar]] = [[]]
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" {
                if !previousWasCR { result.append([]) }
                previousWasCR = false
            } else if scalar == "\r" {
                result.append([]); previousWasCR = true
            } else {
                result[result.count - 1].append(scalar); previousWasCR = false
            }
        }
        lines = result
    }

    func text(line: Int) -> String {
        guard line >= 1, line <= lines.count else { return "" }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: lines[line - 1])
        return String(view)
    }

    func character(line: Int, column: Int) -> Unicode.Scalar? {
        guard line >= 1, line <= lines.count, column >= 1, column <= lines[line - 1].count else { return nil }
        return lines[line - 1][column - 1]
    }

    /// Column of the first tab among the line's leading blanks, if any.
    func tabInIndentation(line: Int) -> Int? {
        guard line >= 1, line <= lines.count else { return nil }
        for (index, scalar) in lines[line - 1].enumerated() {
            if scalar == "\t" { return index + 1 }
            if scalar != " " { return nil }
        }
        return nil
    }

    /// Line and column (1-based) of a byte offset into the raw source; counted on
    /// bytes because the text there may not be valid UTF-8.
    static func position(ofByteOffset offset: Int, in source: [UInt8]) -> (Int, Int) {
        var line = 1, column = 1
        var start = 0
        if source.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        var index = start
        while index < min(offset, source.count) {
            let byte = source[index]
            if byte == 0x0A { line += 1; column = 1 }
            else if byte & 0xC0 != 0x80 { column += 1 }   // skip UTF-8 continuation bytes
            index += 1
        }
        return (line, column)
    }
}
