import CYAML
import ETLCore

/// Turns libyaml's event stream into a `YAMLNode` tree, resolving anchors,
/// aliases and merge keys, and reporting duplicate keys without stopping.
/// Works with an explicit stack so deeply nested input cannot overflow the
/// thread's stack.
struct YAMLTreeBuilder {
    /// Deeper nesting than this is refused: no pipeline needs it, and every later
    /// pass over the tree is recursive.
    static let maxDepth = 200
    /// Alias expansion is capped so a "billion laughs" file cannot exhaust memory.
    static let maxExpandedNodes = 1_000_000

    let file: String
    private(set) var diagnostics: [Diagnostic] = []
    private(set) var root: YAMLNode?
    private var documentCount = 0
    private var stack: [OpenCollection] = []
    private var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    private var expandedNodes = 0

    init(file: String) { self.file = file }

    /// Feeds events until the stream ends or an error stops it.
    mutating func run(_ parser: UnsafeMutablePointer<yaml_parser_t>, source: [UInt8]) {
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(parser, &event) == 1 else {
                diagnostics.append(YAMLSyntaxError.diagnostic(parser.pointee, source: source, file: file))
                return
            }
            defer { yaml_event_delete(&event) }
            if event.type == YAML_STREAM_END_EVENT { return }
            guard handle(event) else { return }
        }
    }

    // MARK: - Events

    /// Returns false when loading must stop.
    private mutating func handle(_ event: yaml_event_t) -> Bool {
        let start = location(event.start_mark)
        let end = location(event.end_mark)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documentCount += 1
            if documentCount > 1 {
                diagnostics.append(Diagnostic(.error, "only one YAML document is allowed per file", at: start,
                    hint: "remove the '---' separator and everything after it, or move the second document into its own file"))
                return false
            }
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = Self.string(scalar.value, length: scalar.length)
            let node = YAMLNode(.scalar(text, Self.style(scalar.style)), location: start, endLocation: end,
                                tag: Self.optionalString(scalar.tag))
            if let anchor = Self.optionalString(scalar.anchor) { anchors[anchor] = (node, 1) }
            return deliver(node, size: 1)
        case YAML_ALIAS_EVENT:
            let name = Self.optionalString(event.data.alias.anchor) ?? ""
            guard let anchored = anchors[name] else {
                diagnostics.append(Diagnostic(.error, "unknown alias '*\(name)'", at: start,
                    hint: "define the anchor with '&\(name)' before this point in the file"))
                return false
            }
            expandedNodes += anchored.size
            guard expandedNodes <= Self.maxExpandedNodes else {
                diagnostics.append(Diagnostic(.error, "aliases expand to more than \(Self.maxExpandedNodes) nodes", at: start,
                    hint: "a pipeline file should not need this many aliases; check for aliases nested inside each other"))
                return false
            }
            var copy = anchored.node
            copy.location = start   // the node as a whole is used here; its contents keep their own places
            copy.endLocation = end
            return deliver(copy, size: anchored.size)
        case YAML_MAPPING_START_EVENT:
            let m = event.data.mapping_start
            return open(OpenCollection(isMapping: true, location: start, tag: Self.optionalString(m.tag),
                                       anchor: Self.optionalString(m.anchor)))
        case YAML_SEQUENCE_START_EVENT:
            let s = event.data.sequence_start
            return open(OpenCollection(isMapping: false, location: start, tag: Self.optionalString(s.tag),
                                       anchor: Self.optionalString(s.anchor)))
        case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
            guard var collection = stack.popLast() else { return true }
            let node = collection.close(end: end, diagnostics: &diagnostics)
            if let anchor = collection.anchor { anchors[anchor] = (node, collection.size) }
            return deliver(node, size: collection.size)
        default:
            break
        }
        return true
    }

    private mutating func open(_ collection: OpenCollection) -> Bool {
        guard stack.count < Self.maxDepth else {
            diagnostics.append(Diagnostic(.error, "nesting is deeper than \(Self.maxDepth) levels", at: collection.location,
                hint: "flatten the structure; a pipeline file never needs this depth"))
            return false
        }
        stack.append(collection)
        return true
    }

    private mutating func deliver(_ node: YAMLNode, size: Int) -> Bool {
        guard !stack.isEmpty else {
            root = node
            return true
        }
        stack[stack.count - 1].add(node, size: size, diagnostics: &diagnostics)
        return true
    }

    // MARK: - libyaml conversions

    private func location(_ mark: yaml_mark_t) -> SourceLocation {
        SourceLocation(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, length: Int) -> String {
        guard let pointer else { return "" }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    static func optionalString(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    private static func style(_ style: yaml_scalar_style_t) -> YAMLNode.ScalarStyle {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        default: return .plain
        }
    }
}
