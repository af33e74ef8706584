/// A place in a pipeline file. Lines and columns count from 1.
public struct SourceLocation: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public init(file: String, line: Int, column: Int) { self.file = file; self.line = line; self.column = column }
    public var description: String { "\(file):\(line):\(column)" }
    public func advanced(byColumns n: Int) -> SourceLocation {
        SourceLocation(file: file, line: line, column: column + n)
    }
}

public enum Severity: String, Sendable, Codable { case error, warning }

/// One finding of `validate`, printed as `file:line:col: error: message` plus a hint.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public var severity: Severity
    public var location: SourceLocation?
    public var message: String
    public var hint: String?

    public init(_ severity: Severity, _ message: String, at location: SourceLocation?, hint: String? = nil) {
        self.severity = severity; self.location = location; self.message = message; self.hint = hint
    }

    public var description: String {
        var s = (location.map { "\($0): " } ?? "") + "\(severity.rawValue): \(message)"
        if let hint { s += "\n    hint: \(hint)" }
        return s
    }
}

/// Errors raised anywhere in etl: a message a person can act on, an optional
/// hint, and where in the pipeline it comes from.
public struct ETLError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var hint: String?
    public var location: SourceLocation?

    public init(_ message: String, hint: String? = nil, location: SourceLocation? = nil) {
        self.message = message; self.hint = hint; self.location = location
    }

    public var description: String {
        var s = (location.map { "\($0): " } ?? "") + message
        if let hint { s += " (hint: \(hint))" }
        return s
    }
}

/// "did you mean" for unknown names: the closest candidate by edit distance.
public enum Suggest {
    public static func didYouMean(_ word: String, _ candidates: [String]) -> String? {
        let best = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }.min { $0.1 < $1.1 }
        guard let (name, d) = best, d <= max(2, word.count / 3) else { return nil }
        return "did you mean '\(name)'?"
    }

    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        for i in 1...a.count {
            var cur = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return prev[b.count]
    }
}
