import Foundation
import ETLCore

extension YAMLNode {
    /// Sets or replaces the node at `path` (`--set a.b.c=VALUE`), creating the
    /// mappings on the way. Numeric parts index into sequences (`transforms.0.rules`);
    /// an index equal to the count appends. A path that cannot be followed (a
    /// name into a sequence, an index past the end) leaves the tree unchanged:
    /// use `settingValue(at:to:)` to learn why.
    public func withValue(at path: [String], _ newNode: YAMLNode) -> YAMLNode {
        (try? settingValue(at: path, to: newNode)) ?? self
    }

    /// Like `withValue(at:_:)`, but says why a path cannot be followed.
    public func settingValue(at path: [String], to newNode: YAMLNode) throws -> YAMLNode {
        try setting(path[...], to: newNode, walked: [])
    }

    private func setting(_ path: ArraySlice<String>, to newNode: YAMLNode, walked: [String]) throws -> YAMLNode {
        guard let part = path.first else { return newNode }
        let rest = path.dropFirst()
        var copy = self
        switch kind {
        case .sequence(var list):
            let here = (walked + [part]).joined(separator: ".")
            guard let index = Int(part), index >= 0 else {
                throw ETLError("cannot set '\(here)': '\((walked).joined(separator: "."))' is a list, so '\(part)' must be an index",
                               hint: "use a number, e.g. \((walked + ["0"]).joined(separator: "."))", location: location)
            }
            guard index <= list.count else {
                throw ETLError("cannot set '\(here)': the list has \(list.count) item(s)",
                               hint: "use an index from 0 to \(list.count)", location: location)
            }
            if index == list.count {
                list.append(try Self.emptyMapping(at: newNode.location).setting(rest, to: newNode, walked: walked + [part]))
            } else {
                list[index] = try list[index].setting(rest, to: newNode, walked: walked + [part])
            }
            copy.kind = .sequence(list)
        case .mapping(var pairs):
            if let i = pairs.firstIndex(where: { $0.key.scalarText == part }) {
                pairs[i].value = try pairs[i].value.setting(rest, to: newNode, walked: walked + [part])
            } else {
                let key = YAMLNode(.scalar(part, .plain), location: newNode.location)
                let value = try Self.emptyMapping(at: newNode.location).setting(rest, to: newNode, walked: walked + [part])
                pairs.append(YAMLPair(key: key, value: value))
            }
            copy.kind = .mapping(pairs)
        case .scalar:
            // A scalar (or nothing) on the way is replaced: `--set a.b=1` wins over `a: x`.
            return try Self.emptyMapping(at: newNode.location).setting(path, to: newNode, walked: walked)
        }
        return copy
    }

    private static func emptyMapping(at location: SourceLocation) -> YAMLNode {
        YAMLNode(.mapping([]), location: location)
    }

    /// Reads a `--set` value as YAML: `10` is an int, `[1s,2s]` a sequence,
    /// `{a: 1}` a mapping, `"10"` a string. Text that is not valid YAML (or that
    /// YAML would read as nothing, like `#x`) stays a plain string.
    /// Every node gets `location` (column-shifted on its first line).
    public static func parseScalarOverride(_ text: String, location: SourceLocation) -> YAMLNode {
        let result = YAMLLoader.load(text: text, file: location.file)
        let asString = YAMLNode(.scalar(text, .doubleQuoted), location: location)
        if text.isEmpty { return YAMLNode(.scalar("", .plain), location: location) }
        guard let root = result.root, !result.hasErrors else { return asString }
        if root.isNull, !CoreSchema.isNull(text.trimmingCharacters(in: .whitespaces)) { return asString }
        return root.relocated(to: location)
    }

    /// The same tree with every location moved to `base`: nodes parsed from a
    /// command-line value point at that value rather than at a pretend file.
    func relocated(to base: SourceLocation) -> YAMLNode {
        func move(_ l: SourceLocation) -> SourceLocation {
            l.line == 1 ? base.advanced(byColumns: l.column - 1) : base
        }
        var copy = self
        copy.location = move(location)
        copy.endLocation = endLocation.map(move)
        switch kind {
        case .scalar: break
        case .sequence(let list): copy.kind = .sequence(list.map { $0.relocated(to: base) })
        case .mapping(let pairs):
            copy.kind = .mapping(pairs.map { YAMLPair(key: $0.key.relocated(to: base), value: $0.value.relocated(to: base)) })
        }
        return copy
    }
}
