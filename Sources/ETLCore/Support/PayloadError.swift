/// A payload (JSON, NDJSON, CSV) that cannot be read, with the exact place:
/// line and column (both from 1; columns count Unicode scalars) and, for JSON,
/// the byte offset, so a person can open the archived payload and look.
public struct PayloadError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong, without the place: "unexpected end of input".
    public var reason: String
    /// Why it probably happened, appended after a dash: "the payload looks truncated".
    public var detail: String?
    public var hint: String?
    /// Where the payload came from (a URL, a file name), for messages.
    public var source: String
    public var byteOffset: Int?
    public var line: Int
    public var column: Int

    public init(_ reason: String, detail: String? = nil, hint: String? = nil,
                source: String, byteOffset: Int? = nil, line: Int, column: Int) {
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
        return s
    }

    /// The form the rest of etl reports.
    public var etlError: ETLError { ETLError("\(source): \(message)", hint: hint) }
}
