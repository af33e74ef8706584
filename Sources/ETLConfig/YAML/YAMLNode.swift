import ETLCore

/// One node of a loaded YAML document, with the place it was written so that
/// every later error (validation, connector options) can point at a line and column.
public struct YAMLNode: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case scalar(String, ScalarStyle)
        case mapping([YAMLPair])
        case sequence([YAMLNode])
    }

    /// How a scalar was written: only plain scalars are typed (`10` is an int, `"10"` a string).
    public enum ScalarStyle: Sendable, Equatable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public var kind: Kind
    /// Start of the node (1-based line and column, file path included).
    public var location: SourceLocation
    /// End of the node (exclusive), when known: lets diagnostics point inside a one-line scalar.
    public var endLocation: SourceLocation?
    /// Explicit tag, resolved (`!!str` → `tag:yaml.org,2002:str`); nil when none was written.
    public var tag: String?
    /// Environment variables substituted into this scalar by `Interpolator`.
    public var interpolatedVariables: [String] = []

    public init(_ kind: Kind, location: SourceLocation, endLocation: SourceLocation? = nil, tag: String? = nil) {
        self.kind = kind; self.location = location; self.endLocation = endLocation; self.tag = tag
    }

    public static func scalar(_ text: String, _ style: ScalarStyle = .plain, at location: SourceLocation) -> YAMLNode {
        YAMLNode(.scalar(text, style), location: location)
    }
    public static func mapping(_ pairs: [YAMLPair], at location: SourceLocation) -> YAMLNode {
        YAMLNode(.mapping(pairs), location: location)
    }
    public static func sequence(_ items: [YAMLNode], at location: SourceLocation) -> YAMLNode {
        YAMLNode(.sequence(items), location: location)
    }
}

/// One `key: value` entry of a mapping; both sides keep their own location.
public struct YAMLPair: Sendable, Equatable {
    public var key: YAMLNode
    public var value: YAMLNode
    public init(key: YAMLNode, value: YAMLNode) { self.key = key; self.value = value }
}

extension YAMLNode {
    /// The text of a scalar node; nil for mappings and sequences.
    public var scalarText: String? {
        if case .scalar(let text, _) = kind { return text }
        return nil
    }

    public var scalarStyle: ScalarStyle? {
        if case .scalar(_, let style) = kind { return style }
        return nil
    }

    public var pairs: [YAMLPair]? {
        if case .mapping(let pairs) = kind { return pairs }
        return nil
    }

    public var items: [YAMLNode]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }

    public var isMapping: Bool { pairs != nil }
    public var isSequence: Bool { items != nil }
    public var isScalar: Bool { scalarText != nil }

    /// `key:` with nothing after it, `~` or `null` — written without quotes or a `!!str` tag.
    public var isNull: Bool {
        guard case .scalar(let text, .plain) = kind, !hasStringTag else { return false }
        return CoreSchema.isNull(text)
    }

    /// The keys of a mapping, in written order.
    public var keys: [String] { pairs?.compactMap { $0.key.scalarText } ?? [] }

    /// The value under `key` in a mapping; nil when absent or when this is not a mapping.
    public subscript(key: String) -> YAMLNode? {
        pairs?.first { $0.key.scalarText == key }?.value
    }

    /// Where `key` itself is written in this mapping: the place to point at for "unknown key".
    public func keyLocation(_ key: String) -> SourceLocation? {
        pairs?.first { $0.key.scalarText == key }?.key.location
    }

    /// A short name of the node's shape for messages ("expected a mapping, found a sequence").
    public var kindName: String {
        switch kind {
        case .scalar: return isNull ? "nothing" : "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a sequence"
        }
    }

    var hasStringTag: Bool { tag == "tag:yaml.org,2002:str" || tag == "!" }
}
