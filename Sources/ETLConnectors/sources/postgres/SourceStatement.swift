import ETLCore

/// The statement the `postgres` source sends, built from generated SQL and from
/// the user's `query`/`where` text, remembering where each part came from: a
/// position the server reports maps back to a line and column of the option
/// the user wrote. Named parameters become `$n`, one per distinct name.
struct SourceStatement {
    enum Origin: Equatable {
        case generated
        /// Written in option `name`, starting `offset` Unicode scalars into it.
        case option(String, offset: Int)
    }

    private(set) var sql = ""
    /// The name bound to each `$n`, in order.
    private(set) var parameterNames: [String] = []
    private var segments: [(start: Int, length: Int, origin: Origin)] = []
    private var length = 0   // in Unicode scalars, as the server counts positions

    mutating func append(_ text: String) { append(text, origin: .generated) }

    /// The user's SQL with each `:name` replaced by its `$n`.
    mutating func append(_ parsed: NamedParameterSQL, option: String) {
        for piece in parsed.pieces {
            switch piece {
            case .text(let text, let offset): append(text, origin: .option(option, offset: offset))
            case .parameter(let name, let offset): append(placeholder(name), origin: .option(option, offset: offset))
            }
        }
    }

    /// `$n` for `name`, the same number every time the name is used.
    mutating func placeholder(_ name: String) -> String {
        if let index = parameterNames.firstIndex(of: name) { return "$\(index + 1)" }
        parameterNames.append(name)
        return "$\(parameterNames.count)"
    }

    private mutating func append(_ text: String, origin: Origin) {
        let count = text.unicodeScalars.count
        segments.append((length, count, origin))
        sql += text
        length += count
    }

    /// Where a server-reported position (1-based, in characters) was written:
    /// the option and the offset in it; nil when it falls in generated SQL.
    func locate(_ position: Int) -> (option: String, offset: Int)? {
        let index = position - 1
        guard let segment = segments.first(where: { index >= $0.start && index < $0.start + $0.length }),
              case .option(let name, let offset) = segment.origin else { return nil }
        // Inside a `$n` that replaced `:name`, the name's start is the place to show.
        return (name, offset + min(index - segment.start, segment.length - 1))
    }

    /// Line and column (from 1) of a scalar offset in `text`.
    static func lineAndColumn(of offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for (i, scalar) in text.unicodeScalars.enumerated() {
            if i == offset { break }
            if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }
}
