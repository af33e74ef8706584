import ETLCore
import Foundation

/// Substitutes environment variables and secret files into scalar values:
/// `${VAR}`, `${VAR:-default}` (default also when VAR is empty), `${file:/path}`
/// (content without trailing newlines) and `$${` for a literal `${`.
/// Runs on the tree before typing, so `timeout: ${T:-30}` becomes the int 30.
/// Mapping keys are left alone: they name options, they do not carry values.
public struct Interpolator: Sendable {
    public var environment: [String: String]
    /// Unset variables without a default are errors instead of warnings.
    public var strict: Bool
    /// `${A:-${B:-…}}` nested deeper than this is refused: each level rescans the
    /// rest of the value, so unbounded nesting made loading quadratic (and deep).
    public static let maxDefaultNesting = 32

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, strict: Bool = false) {
        self.environment = environment; self.strict = strict
    }

    public func apply(_ root: YAMLNode) -> (YAMLNode, [Diagnostic]) {
        let resolved = resolve(root)
        return (resolved.root, resolved.diagnostics)
    }

    /// The tree with every value substituted, and the secrets that came in with it.
    public struct Resolved {
        public var root: YAMLNode
        public var diagnostics: [Diagnostic] = []
        /// Values of secret-looking variables, secret files and passwords inside URLs:
        /// the run's redactor masks them wherever text leaves the process.
        public var secrets: [String] = []
    }

    public func resolve(_ root: YAMLNode) -> Resolved {
        var resolved = Resolved(root: root)
        resolved.root = apply(root, &resolved)
        return resolved
    }

    private func apply(_ node: YAMLNode, _ resolved: inout Resolved) -> YAMLNode {
        var copy = node
        switch node.kind {
        case .scalar(let text, let style):
            guard text.contains("$") else { return node }
            let result = interpolate(text, at: node.location, exactColumnsFrom: Self.textStart(of: node))
            resolved.diagnostics += result.diagnostics
            resolved.secrets += result.secrets
            copy.kind = .scalar(result.text, style)
            copy.interpolatedVariables = result.variables
        case .sequence(let list):
            copy.kind = .sequence(list.map { apply($0, &resolved) })
        case .mapping(let pairs):
            copy.kind = .mapping(pairs.map { YAMLPair(key: $0.key, value: apply($0.value, &resolved)) })
        }
        return copy
    }

    /// Where the scalar's text begins in the file, when its characters map one
    /// to one onto the source: a one-line plain scalar, or a quoted one without escapes.
    private static func textStart(of node: YAMLNode) -> SourceLocation? {
        guard case .scalar(let text, let style) = node.kind, let end = node.endLocation,
              end.line == node.location.line else { return nil }
        let written = end.column - node.location.column
        let count = text.unicodeScalars.count
        switch style {
        case .plain: return written == count ? node.location : nil
        case .singleQuoted, .doubleQuoted: return written == count + 2 ? node.location.advanced(byColumns: 1) : nil
        case .literal, .folded: return nil
        }
    }

    // MARK: - Text

    public struct Result: Sendable {
        public var text: String
        /// Environment variables referenced, in order of appearance.
        public var variables: [String]
        public var diagnostics: [Diagnostic]
        /// Secrets substituted into the text (see `Resolved.secrets`).
        public var secrets: [String] = []
    }

    /// Interpolates one piece of text. `location` is used for diagnostics; when
    /// `exactColumnsFrom` is given, diagnostics point at the `${` itself.
    public func interpolate(_ text: String, at location: SourceLocation?, exactColumnsFrom textStart: SourceLocation? = nil) -> Result {
        var state = Result(text: "", variables: [], diagnostics: [])
        let scalars = Array(text.unicodeScalars)
        state.text = substitute(scalars[...], offset: 0, location: location, textStart: textStart, &state)
        return state
    }

    private func substitute(_ s: ArraySlice<Unicode.Scalar>, offset: Int, location: SourceLocation?,
                            textStart: SourceLocation?, nesting: Int = 0, _ state: inout Result) -> String {
        var out = String.UnicodeScalarView()
        var i = s.startIndex
        func at(_ index: Int) -> SourceLocation? {
            textStart.map { $0.advanced(byColumns: offset + index - s.startIndex) } ?? location
        }
        while i < s.endIndex {
            let c = s[i]
            if c == "$", i + 2 < s.endIndex, s[i + 1] == "$", s[i + 2] == "{" {
                out.append("$"); out.append("{"); i += 3
                continue
            }
            guard c == "$", i + 1 < s.endIndex, s[i + 1] == "{" else {
                out.append(c); i += 1
                continue
            }
            guard let close = Self.matchingBrace(s, from: i + 2) else {
                state.diagnostics.append(Diagnostic(.error, "unclosed '${' in value", at: at(i),
                    hint: "close it with '}', or write '$${' for a literal '${'"))
                out.append(contentsOf: s[i...]); break
            }
            guard nesting < Self.maxDefaultNesting else {
                state.diagnostics.append(Diagnostic(.error, "'${' defaults are nested more than \(Self.maxDefaultNesting) levels deep",
                    at: at(i), hint: "a default inside a default inside … is never needed this deep; flatten it"))
                break
            }
            let inner = s[(i + 2)..<close]
            let innerOffset = offset + (i + 2 - s.startIndex)
            out.append(contentsOf: resolve(inner, at: at(i), innerOffset: innerOffset, location: location,
                                           textStart: textStart, nesting: nesting, &state).unicodeScalars)
            i = close + 1
        }
        return String(out)
    }

    /// Index of the `}` closing a `${` whose body starts at `start`; nested `${…}` in defaults are skipped over.
    private static func matchingBrace(_ s: ArraySlice<Unicode.Scalar>, from start: Int) -> Int? {
        var depth = 1
        var i = start
        while i < s.endIndex {
            if s[i] == "{" { depth += 1 }
            if s[i] == "}" { depth -= 1; if depth == 0 { return i } }
            i += 1
        }
        return nil
    }

    private func resolve(_ inner: ArraySlice<Unicode.Scalar>, at here: SourceLocation?, innerOffset: Int,
                         location: SourceLocation?, textStart: SourceLocation?, nesting: Int, _ state: inout Result) -> String {
        let body = String(String.UnicodeScalarView(inner))
        if body.hasPrefix("file:") {
            return readSecretFile(String(body.dropFirst(5)), at: here, &state)
        }
        var name = body
        var defaultPart: ArraySlice<Unicode.Scalar>?
        if let range = body.range(of: ":-") {
            name = String(body[..<range.lowerBound])
            let defaultStart = inner.startIndex + body[..<range.upperBound].unicodeScalars.count
            defaultPart = inner[defaultStart...]
        }
        guard Self.isVariableName(name) else {
            state.diagnostics.append(Diagnostic(.error, "malformed '${\(body)}': '\(name)' is not an environment variable name", at: here,
                hint: "write ${NAME}, ${NAME:-default} or ${file:/path}; use '$${' for a literal '${'"))
            return ""
        }
        if !state.variables.contains(name) { state.variables.append(name) }
        if let value = environment[name], !value.isEmpty {
            if Redactor.looksSecret(name) { state.secrets.append(value) }
            state.secrets += Redactor.urlPasswords(in: value) + Redactor.keywordPasswords(in: value)
            return value
        }
        if let defaultPart {
            let offset = innerOffset + (defaultPart.startIndex - inner.startIndex)
            return substitute(defaultPart, offset: offset, location: location, textStart: textStart, nesting: nesting + 1, &state)
        }
        if environment[name] == nil {
            state.diagnostics.append(Diagnostic(strict ? .error : .warning, "environment variable \(name) is not set", at: here,
                hint: "export \(name)=… or give a default: ${\(name):-value}"))
        }
        return ""
    }

    private func readSecretFile(_ rawPath: String, at here: SourceLocation?, _ state: inout Result) -> String {
        let path = rawPath.trimmingCharacters(in: .whitespaces)
        guard !path.isEmpty else {
            state.diagnostics.append(Diagnostic(.error, "malformed '${file:}': no path given", at: here,
                hint: "write ${file:/path/to/secret}"))
            return ""
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            state.diagnostics.append(Diagnostic(.error, exists ? "cannot read secret file \(path)" : "secret file not found: \(path)",
                at: here, hint: exists ? "check the file's permissions" : "check the path in ${file:…}"))
            return ""
        }
        var content = String(decoding: data, as: UTF8.self)
        while let last = content.unicodeScalars.last, last == "\n" || last == "\r" { content.unicodeScalars.removeLast() }
        state.secrets.append(content)
        return content
    }

    private static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}
