import ETLCore

/// A problem found while compiling an expression or a template: where it is
/// (a 0-based character offset into the source and a length) and what to do.
public struct ExpressionError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    /// 0-based character (not byte) offset of the offending token in the source text.
    public var offset: Int
    /// Length in characters of the offending token (at least 1 unless the source is empty).
    public var length: Int
    public var hint: String?

    public init(_ message: String, offset: Int, length: Int = 1, hint: String? = nil) {
        self.message = message; self.offset = offset; self.length = length; self.hint = hint
    }

    public var description: String {
        var s = "\(message) (at character \(offset + 1))"
        if let hint { s += " (hint: \(hint))" }
        return s
    }

    /// The same error seen from an enclosing text (templates): the offset moves by `delta`.
    func shifted(by delta: Int) -> ExpressionError {
        ExpressionError(message, offset: offset + delta, length: length, hint: hint)
    }

    /// As the project-wide error type, for callers that only handle ETLError.
    public var etlError: ETLError { ETLError(message, hint: hint) }
}

/// A failure while evaluating: the message names the function or operation
/// ("to_int: cannot convert \"abc\" to int").
public struct ExpressionRuntimeError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
