/// A JSON payload that cannot be read, with the exact place: byte offset, and
/// line and column (both from 1; columns count Unicode scalars) so a person can
/// open the archived payload and look.
public struct JSONError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong, without the place: "unexpected end of input".
    public var reason: String
    /// Why it probably happened, appended after a dash: "the payload looks truncated".
    public var detail: String?
    public var hint: String?
    /// Where the payload came from (a URL, a file name), for messages.
    public var source: String
    public var byteOffset: Int
    public var line: Int
    public var column: Int

    public init(_ reason: String, detail: String? = nil, hint: String? = nil,
                source: String, byteOffset: Int, line: Int, column: Int) {
        self.reason = reason; self.detail = detail; self.hint = hint
        self.source = source; self.byteOffset = byteOffset; self.line = line; self.column = column
    }

    /// "unexpected end of input at line 3, column 7 — the payload looks truncated"
    public var message: String {
        "\(reason) at line \(line), column \(column)" + (detail.map { " — \($0)" } ?? "")
    }

    public var description: String {
        var s = "\(source): \(message)"
        if let hint { s += " (hint: \(hint))" }
        return Redactor.shared.redact(s)
    }

    /// The form the rest of etl reports.
    public var etlError: ETLError { ETLError(Redactor.shared.redact("\(source): \(message)"), hint: hint) }
}

/// Line and column of a byte offset, worked out only when an error is raised so
/// the hot path never counts columns.
enum TextPosition {
    /// Lines and columns count from 1; a column counts Unicode scalars (UTF-8
    /// lead bytes), so "é" is one column.
    static func of(offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        var line = 1, column = 1
        var i = 0
        let stop = min(offset, bytes.count)
        while i < stop {
            let b = bytes[i]
            if b == UInt8(ascii: "\n") { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return (line, column)
    }
}
