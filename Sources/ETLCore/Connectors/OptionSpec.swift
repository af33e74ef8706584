/// The type of a connector option. `validate` checks YAML against it,
/// `list-connectors` and the generated docs print it.
public indirect enum OptionType: Sendable, Equatable {
    case string
    case int
    case double
    case bool
    /// `30m`, `5s`, `1h30m`, `500ms`, `30d`: resolved to seconds (`.double`).
    case duration
    /// `10MB`, `512KiB`: resolved to bytes (`.int`).
    case size
    case url
    case oneOf([String])
    case list(OptionType)
    case map(OptionType)
    /// Like `.string`, but redacted from every log line, error and dry-run.
    case secret
    /// An expression in the etl expression language, type-checked by `validate`.
    case expression
    /// A nested block with its own declared options.
    case object([OptionSpec])
    /// Anything YAML can hold, checked by the connector itself.
    case any

    public var name: String {
        switch self {
        case .string: return "string"
        case .int: return "int"
        case .double: return "number"
        case .bool: return "bool"
        case .duration: return "duration"
        case .size: return "size"
        case .url: return "url"
        case .oneOf(let values): return "enum(" + values.joined(separator: "|") + ")"
        case .list(let t): return "list<\(t.name)>"
        case .map(let t): return "map<\(t.name)>"
        case .secret: return "secret"
        case .expression: return "expression"
        case .object: return "object"
        case .any: return "any"
        }
    }
}

/// One option of a connector, declared once.
public struct OptionSpec: Sendable, Equatable {
    public var name: String
    public var type: OptionType
    public var required: Bool
    public var defaultValue: Value?
    public var doc: String
    public var example: String?

    public init(_ name: String, _ type: OptionType, required: Bool = false, default defaultValue: Value? = nil,
                doc: String, example: String? = nil) {
        self.name = name; self.type = type; self.required = required
        self.defaultValue = defaultValue; self.doc = doc; self.example = example
    }
}

public enum ConnectorKind: String, Sendable, CaseIterable, Codable {
    case source, transform, sink, notifier
}

/// Everything the registry, `validate`, `list-connectors`, `describe` and the docs know about a connector.
public struct ConnectorSpec: Sendable {
    public var kind: ConnectorKind
    public var name: String
    public var summary: String
    public var description: String
    public var options: [OptionSpec]
    /// A YAML snippet showing the connector in a pipeline.
    public var example: String
    /// For a source whose records have a declared shape (a manifest's `fields:`): their
    /// top-level fields, so `etl validate` can flag rules naming any other.
    public var recordFields: [String]?

    public init(kind: ConnectorKind, name: String, summary: String, description: String = "",
                options: [any OptionDeclaration], example: String) {
        self.kind = kind; self.name = name; self.summary = summary
        self.description = description; self.options = options.map(\.spec); self.example = example
    }
}
