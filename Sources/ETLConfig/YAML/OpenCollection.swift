import ETLCore

/// A mapping or sequence whose end event has not arrived yet. For mappings it
/// pairs keys with values, reports duplicate keys and collects `<<` merges.
struct OpenCollection {
    let isMapping: Bool
    let location: SourceLocation
    let tag: String?
    let anchor: String?
    /// Nodes inside, counted for the alias-expansion cap.
    private(set) var size = 1

    private var items: [YAMLNode] = []
    private var pairs: [YAMLPair] = []
    private var pendingKey: YAMLNode?
    private var firstLineOfKey: [String: Int] = [:]
    /// Mappings merged in with `<<`, in priority order, and where they go.
    private var mergeSources: [YAMLNode] = []
    private var mergeInsertIndex: Int?

    init(isMapping: Bool, location: SourceLocation, tag: String?, anchor: String?) {
        self.isMapping = isMapping; self.location = location; self.tag = tag; self.anchor = anchor
    }

    mutating func add(_ node: YAMLNode, size: Int, diagnostics: inout [Diagnostic]) {
        self.size += size
        guard isMapping else { items.append(node); return }
        guard let key = pendingKey else {
            pendingKey = node
            return
        }
        pendingKey = nil
        if Self.isMergeKey(key) {
            addMerge(node, diagnostics: &diagnostics)
            return
        }
        if let name = key.scalarText {
            if let firstLine = firstLineOfKey[name] {
                diagnostics.append(Diagnostic(.error, "duplicate key '\(name)' (first defined at line \(firstLine))",
                                              at: key.location, hint: "remove one of them"))
                return   // the first definition wins, as it is the one reported as "first"
            }
            firstLineOfKey[name] = key.location.line
        }
        pairs.append(YAMLPair(key: key, value: node))
    }

    mutating func close(end: SourceLocation, diagnostics: inout [Diagnostic]) -> YAMLNode {
        guard isMapping else { return YAMLNode(.sequence(items), location: location, endLocation: end, tag: tag) }
        if let key = pendingKey {   // cannot happen with a well-formed event stream; keep the key rather than lose it
            pairs.append(YAMLPair(key: key, value: YAMLNode(.scalar("", .plain), location: key.location)))
        }
        return YAMLNode(.mapping(pairsWithMerges()), location: location, endLocation: end, tag: tag)
    }

    // MARK: - Merge keys

    private static func isMergeKey(_ key: YAMLNode) -> Bool {
        if case .scalar("<<", .plain) = key.kind, key.tag == nil { return true }
        return key.tag == "tag:yaml.org,2002:merge"
    }

    /// `<<: *base` or `<<: [*a, *b]`; earlier sources win over later ones.
    private mutating func addMerge(_ value: YAMLNode, diagnostics: inout [Diagnostic]) {
        let sources: [YAMLNode]
        switch value.kind {
        case .mapping: sources = [value]
        case .sequence(let list): sources = list
        case .scalar: sources = [value]
        }
        for source in sources {
            guard source.isMapping else {
                diagnostics.append(Diagnostic(.error, "merge key '<<' needs a mapping or a list of mappings, found \(source.kindName)",
                    at: source.location, hint: "write '<<: *anchor' where '&anchor' names a mapping"))
                continue
            }
            mergeSources.append(source)
        }
        if mergeInsertIndex == nil { mergeInsertIndex = pairs.count }
    }

    /// Explicit keys override merged ones wherever they are written; merged keys
    /// appear where the `<<` was written.
    private func pairsWithMerges() -> [YAMLPair] {
        guard let insertIndex = mergeInsertIndex else { return pairs }
        var taken = Set(pairs.compactMap { $0.key.scalarText })
        var merged: [YAMLPair] = []
        for source in mergeSources {
            for pair in source.pairs ?? [] {
                guard let name = pair.key.scalarText else { merged.append(pair); continue }
                if taken.insert(name).inserted { merged.append(pair) }
            }
        }
        var result = pairs
        result.insert(contentsOf: merged, at: insertIndex)
        return result
    }
}
