import ETLCore
import ETLExpr

/// Checks a YAML mapping against declared options and converts it to typed
/// `Options`. Reports every problem it finds, each at its own line and column.
public struct OptionChecker {
    /// "http source", "pipeline" … used in messages.
    public var owner: String
    public var diagnostics: [Diagnostic] = []
    /// Values of `.secret` options, for the run's redactor.
    public var secrets: [String] = []

    public init(owner: String) { self.owner = owner }

    /// Keys the caller handles itself (`type`, `route` …): not reported as unknown.
    public mutating func check(_ node: YAMLNode, _ specs: [OptionSpec], reserved: Set<String> = [],
                               pathPrefix: String = "") -> Options {
        var options = Options()
        guard case .mapping(let pairs) = node.kind else {
            if !node.isNull {
                error("\(owner) must be a mapping of options", node.location, hint: "write `key: value` lines under it")
            }
            fillDefaults(&options, specs, present: [])
            missingRequired(specs, present: [], at: node.location)
            return options
        }
        var present = Set<String>()
        for pair in pairs {
            guard let key = pair.key.scalarText else {
                error("option names must be plain text", pair.key.location); continue
            }
            if reserved.contains(key) { continue }
            // `x-…` keys hold YAML anchors for reuse (as in docker-compose); etl ignores them.
            if key.hasPrefix("x-") && owner == "pipeline" { continue }
            guard let spec = specs.first(where: { $0.name == key }) else {
                let names = specs.map(\.name)
                error("unknown option '\(key)' for \(owner)", pair.key.location,
                      hint: Suggest.didYouMean(key, names) ?? "valid options: \(names.joined(separator: ", "))")
                continue
            }
            present.insert(key)
            options.locations[pathPrefix + key] = pair.value.location
            if let value = convert(pair.value, spec.type, name: key, locations: &options.locations, path: pathPrefix + key) {
                options.values[key] = value
            }
        }
        fillDefaults(&options, specs, present: present)
        missingRequired(specs, present: present, at: node.location)
        return options
    }

    private mutating func fillDefaults(_ options: inout Options, _ specs: [OptionSpec], present: Set<String>) {
        for spec in specs where !present.contains(spec.name) {
            if let d = spec.defaultValue { options.values[spec.name] = d }
        }
    }

    private mutating func missingRequired(_ specs: [OptionSpec], present: Set<String>, at location: SourceLocation) {
        for spec in specs where spec.required && !present.contains(spec.name) {
            error("missing required option '\(spec.name)' for \(owner)", location,
                  hint: "add `\(spec.name): \(spec.example ?? "…")` — \(spec.doc)")
        }
    }

    /// Converts one node to the declared type; nil (with a diagnostic) when it does not fit.
    public mutating func convert(_ node: YAMLNode, _ type: OptionType, name: String,
                                 locations: inout [String: SourceLocation], path: String) -> Value? {
        // A value emptied by an unset environment variable was already warned about.
        if node.scalarText == "" && !node.interpolatedVariables.isEmpty { return .null }
        let value = node.typedValue()
        func wrong(_ expected: String, hint: String? = nil) -> Value? {
            error("option '\(name)' of \(owner) must be \(expected), found \(describe(node))", node.location, hint: hint)
            return nil
        }
        switch type {
        case .any:
            return value
        case .string, .url, .secret:
            guard let text = node.scalarText, !isCollection(node) else { return wrong("text") }
            if value.isNull && node.isPlainScalar { return .null }
            if type == .secret { secrets.append(text) }
            // A password written into any URL or libpq keyword string.
            secrets += Redactor.urlPasswords(in: text) + Redactor.keywordPasswords(in: text)
            if type == .url, !text.contains("://") && !text.hasPrefix("/") && !text.hasPrefix(".") {
                return wrong("a URL", hint: "e.g. https://host/path, file:///dir, s3://bucket/prefix")
            }
            return .string(text)
        case .int:
            if case .int = value { return value }
            return wrong("an integer")
        case .double:
            if case .int(let i) = value { return .double(Double(i)) }
            if case .double = value { return inRange(value, type, node, name: name) }
            return wrong("a number")
        case .bool:
            if case .bool = value { return value }
            return wrong("true or false")
        case .duration:
            if let d = value.doubleValue { return inRange(.double(d), type, node, name: name) }
            if let text = node.scalarText, let seconds = DurationParser.seconds(text) { return inRange(.double(seconds), type, node, name: name) }
            return wrong("a duration", hint: "e.g. 500ms, 5s, 15m, 1h30m, 30d")
        case .size:
            if case .int = value { return inRange(value, type, node, name: name) }
            if let text = node.scalarText, let b = DurationParser.bytes(text) { return inRange(.int(b), type, node, name: name) }
            return wrong("a size", hint: "e.g. 512KiB, 10MB")
        case .oneOf(let allowed):
            guard let text = node.scalarText, allowed.contains(text) else {
                return wrong("one of \(allowed.joined(separator: ", "))",
                             hint: node.scalarText.flatMap { Suggest.didYouMean($0, allowed) })
            }
            return .string(text)
        case .expression:
            guard let text = node.scalarText, !isCollection(node) else { return wrong("an expression") }
            if case .bool = value { return .string(text) }
            if case .int = value { return .string(text) }
            checkExpression(text, node)
            return .string(text)
        case .list(let element):
            let items: [YAMLNode]
            switch node.kind {
            case .sequence(let list): items = list
            case .scalar where value.isNull: return .array([])
            case .scalar: items = [node]
            case .mapping: return wrong("a list")
            }
            var out: [Value] = []
            for (i, item) in items.enumerated() {
                locations["\(path).\(i)"] = item.location
                if let v = convert(item, element, name: "\(name)[\(i)]", locations: &locations, path: "\(path).\(i)") {
                    out.append(v)
                }
            }
            return .array(out)
        case .map(let element):
            guard case .mapping(let pairs) = node.kind else {
                if value.isNull { return .object(Fields()) }
                return wrong("a mapping")
            }
            var out = Fields()
            // Fields looks keys up linearly; a set keeps 100k `vars:` linear rather than quadratic.
            var seen = Set<String>()
            for pair in pairs {
                guard let key = pair.key.scalarText else { continue }
                locations["\(path).\(key)"] = pair.value.location
                if let v = convert(pair.value, element, name: "\(name).\(key)", locations: &locations, path: "\(path).\(key)") {
                    if seen.insert(key).inserted { out.appendUnchecked(key, v) } else { out[key] = v }
                }
            }
            return .object(out)
        case .object(let specs):
            var nested = OptionChecker(owner: "'\(name)' of \(owner)")
            let options = nested.check(node, specs, pathPrefix: "")
            diagnostics += nested.diagnostics
            secrets += nested.secrets
            for (k, loc) in options.locations { locations["\(path).\(k)"] = loc }
            return .object(options.values)
        }
    }

    /// Compiles an expression so that syntax and type errors point into the YAML string.
    public mutating func checkExpression(_ text: String, _ node: YAMLNode) {
        // The position says where; a 10,000-character expression need not be repeated in full.
        let shown = text.count > 80 ? text.prefix(77) + "..." : Substring(text)
        do { _ = try Expression.compile(text) } catch let e as ExpressionError {
            error("in expression '\(shown)': \(e.message)", node.location(ofOffset: e.offset), hint: e.hint)
        } catch {
            self.error("in expression '\(shown)': \(error)", node.location)
        }
    }

    public mutating func checkTemplate(_ text: String, _ node: YAMLNode) {
        do { _ = try Expression.compileTemplate(text) } catch let e as ExpressionError {
            error("in message template: \(e.message)", node.location(ofOffset: e.offset), hint: e.hint)
        } catch {
            self.error("in message template: \(error)", node.location)
        }
    }

    public mutating func error(_ message: String, _ location: SourceLocation, hint: String? = nil) {
        diagnostics.append(Diagnostic(.error, message, at: location, hint: hint))
    }

    public mutating func warning(_ message: String, _ location: SourceLocation, hint: String? = nil) {
        diagnostics.append(Diagnostic(.warning, message, at: location, hint: hint))
    }

    private func isCollection(_ node: YAMLNode) -> Bool {
        if case .scalar = node.kind { return false }
        return true
    }

    private func describe(_ node: YAMLNode) -> String {
        switch node.kind {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let text, _): return "'\(text)'"
        }
    }
}

extension YAMLNode {
    var isPlainScalar: Bool {
        if case .scalar(_, .plain) = kind { return true }
        return false
    }

    /// Where character `offset` of a scalar sits in the file. Exact when the scalar is
    /// written on one line and its text maps onto what is written (plain, single-quoted
    /// with `''`, double-quoted without escapes); otherwise the scalar's start, rather
    /// than a column that points at the wrong character.
    func location(ofOffset offset: Int) -> SourceLocation {
        guard case .scalar(let text, let style) = kind, let end = endLocation, end.line == location.line,
              !text.contains("\n") else { return location }
        // Expression offsets count Characters; YAML columns count Unicode scalars.
        let prefix = text.prefix(offset)
        let written = end.column - location.column
        let scalars = text.unicodeScalars.count
        switch style {
        case .plain:
            guard written == scalars else { return location }
            return location.advanced(byColumns: prefix.unicodeScalars.count)
        case .singleQuoted:
            let quotes = text.unicodeScalars.filter { $0 == "'" }.count
            guard written == scalars + quotes + 2 else { return location }
            return location.advanced(byColumns: 1 + prefix.unicodeScalars.count + prefix.unicodeScalars.filter { $0 == "'" }.count)
        case .doubleQuoted:
            guard written == scalars + 2 else { return location }
            return location.advanced(byColumns: 1 + prefix.unicodeScalars.count)
        case .literal, .folded:
            return location
        }
    }
}
