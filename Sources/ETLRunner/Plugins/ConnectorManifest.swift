import Foundation
import ETLCore
import ETLConfig

/// A connector written as data: `connectors/NAME.yaml` declares options like any
/// built-in connector and maps them onto a base connector's configuration.
/// An HTTP API, a preset database table or a wrapped external program becomes a
/// named connector without Swift.
///
/// ```yaml
/// kind: source
/// name: erp-inventory
/// summary: Stock counts from the ERP's /inventory endpoint.
/// base: http
/// options:
///   - {name: base_url, type: url, required: true, doc: ERP API base URL}
///   - {name: token, type: secret, required: true, doc: Bearer token}
/// config:
///   url: "{{ base_url }}/inventory"
///   bearer_token: "{{ token }}"
/// example: |
///   source: {type: erp-inventory, base_url: "${ERP_URL}", token: "${ERP_TOKEN}"}
/// ```
/// `{{ name }}` alone in a value passes the option's typed value (lists stay lists);
/// inside text it is replaced by its text. `{{ manifest_dir }}` is the manifest's folder.
struct ConnectorManifest {
    static let kind = OptionKey<String>("kind", .oneOf(ConnectorKind.allCases.map(\.rawValue)), required: true, doc: "source, transform, sink or notifier.")
    // `name` and `base` read nil, not "", when an unset variable emptied them: the manifest is then skipped.
    static let name = OptionKey<String?>("name", required: true, doc: "The connector's name in pipelines.")
    static let summary = OptionKey<String>("summary", required: true, doc: "One line for list-connectors.")
    static let description = OptionKey<String?>("description", doc: "Longer description for describe and the docs.")
    static let base = OptionKey<String?>("base", required: true, doc: "The registered connector this one configures.")
    /// One entry of `options:`.
    enum Option {
        static let name = OptionKey<String>("name", required: true, doc: "Option name.")
        static let type = OptionKey<String>("type", .oneOf(["string", "int", "number", "bool", "duration", "size", "url", "secret", "expression",
                                                            "list", "map", "any"]), default: "string", doc: "Option type.")
        static let required = OptionKey<Bool>("required", default: false, doc: "Must be given.")
        static let `default` = OptionKey<Value>("default", doc: "Value when not given.")
        static let doc = OptionKey<String>("doc", required: true, doc: "One line for the docs.")
        static let example = OptionKey<String?>("example", doc: "Example value.")
    }
    static let options = OptionKey<[Value]?>("options", .list(.block([Option.name, Option.type, Option.required, Option.default,
                                                                      Option.doc, Option.example])),
                                             doc: "This connector's own options.")
    /// Read as YAML (`root["config"]`), to render its placeholders.
    static let config = OptionKey<Value>("config", required: true, doc: "The base connector's options, with {{ option }} placeholders.")
    static let example = OptionKey<String?>("example", doc: "A YAML snippet for the docs.")
    static let fields = OptionKey<[String]?>("fields", doc: "Sources: the top-level fields every record carries (the API's declared schema), so `etl validate` flags rules naming any other.")

    static let schema: [any OptionDeclaration] = [kind, name, summary, description, base, options, config, example, fields]

    /// Loads every `*.yaml` in `directory` into the registry. Problems come back as diagnostics.
    static func loadAll(from directory: String, into registry: ConnectorRegistry) -> [Diagnostic] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        return files.flatMap { load(path: directory + "/" + $0, into: registry) }
    }

    static func load(path: String, into registry: ConnectorRegistry) -> [Diagnostic] {
        let loaded = YAMLLoader.load(path: path)
        guard let root = loaded.root, !loaded.hasErrors else { return loaded.diagnostics }
        var checker = OptionChecker(owner: "connector manifest")
        let manifest = checker.check(root, schema.map(\.spec))
        guard !checker.diagnostics.contains(where: { $0.severity == .error }),
              let kind = ConnectorKind(rawValue: manifest[Self.kind]),
              let name = manifest[Self.name], let baseName = manifest[Self.base], let configNode = root["config"]
        else { return loaded.diagnostics + checker.diagnostics }
        guard let base = registry.lookup(kind, baseName) else {
            return [Diagnostic(.error, "manifest \(name): unknown base \(kind.rawValue) connector '\(baseName)'",
                               at: root["base"]?.location, hint: Suggest.didYouMean(baseName, registry.names(kind)))]
        }
        if registry.lookup(kind, name) != nil {
            return [Diagnostic(.error, "manifest \(name): a \(kind.rawValue) connector of that name already exists", at: root["name"]?.location)]
        }
        let options = (manifest[Self.options] ?? []).compactMap { $0.objectValue }.map(optionSpec)
        var spec = ConnectorSpec(kind: kind, name: name, summary: manifest[Self.summary],
                                 description: ((manifest[Self.description] ?? "") + " Defined by the manifest connectors/\((path as NSString).lastPathComponent), based on `\(baseName)`.").trimmingCharacters(in: .whitespaces),
                                 options: options, example: manifest[Self.example] ?? "\(kind.rawValue):\n  type: \(name)")
        spec.recordFields = manifest[Self.fields]
        let directory = (path as NSString).deletingLastPathComponent
        registry.register(spec, base.factory.deriving { values, _ in
            var variables = values.values
            variables["manifest_dir"] = .string(directory)
            let rendered = render(configNode, variables)
            var baseChecker = OptionChecker(owner: "\(baseName) \(kind.rawValue) (from manifest \(name))")
            let baseOptions = baseChecker.check(rendered, base.spec.options)
            if let problem = baseChecker.diagnostics.first(where: { $0.severity == .error }) {
                throw ETLError("manifest \(path): \(problem.message)", hint: problem.hint, location: problem.location)
            }
            return baseOptions
        })
        return loaded.diagnostics
    }

    static func optionSpec(_ f: Fields) -> OptionSpec {
        let o = Options(f)
        let type: OptionType
        switch o[Option.type] {
        case "int": type = .int
        case "number": type = .double
        case "bool": type = .bool
        case "duration": type = .duration
        case "size": type = .size
        case "url": type = .url
        case "secret": type = .secret
        case "expression": type = .expression
        case "list": type = .list(.any)
        case "map": type = .map(.any)
        case "any": type = .any
        default: type = .string
        }
        return OptionSpec(o[Option.name], type, required: o[Option.required],
                          default: o.has(Option.default) ? o[Option.default] : nil, doc: o[Option.doc], example: o[Option.example])
    }

    /// Replaces `{{ name }}` placeholders in the config tree with option values.
    static func render(_ node: YAMLNode, _ variables: Fields) -> YAMLNode {
        switch node.kind {
        case .mapping(let pairs):
            return .mapping(pairs.map { YAMLPair(key: $0.key, value: render($0.value, variables)) }, at: node.location)
        case .sequence(let items):
            return .sequence(items.map { render($0, variables) }, at: node.location)
        case .scalar(let text, let style):
            guard text.contains("{{") else { return node }
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("{{"), trimmed.hasSuffix("}}"), trimmed.components(separatedBy: "{{").count == 2 {
                let name = trimmed.dropFirst(2).dropLast(2).trimmingCharacters(in: .whitespaces)
                return yamlNode(variables[name] ?? .null, at: node.location)
            }
            var out = text
            for (name, value) in variables {
                for pattern in ["{{ \(name) }}", "{{\(name)}}"] { out = out.replacingOccurrences(of: pattern, with: value.text) }
            }
            return .scalar(out, style, at: node.location)
        }
    }

    /// A typed value as a node the option checker reads back to the same value.
    static func yamlNode(_ value: Value, at location: SourceLocation) -> YAMLNode {
        switch value {
        case .null: return .scalar("null", .plain, at: location)
        case .string(let s): return .scalar(s, .doubleQuoted, at: location)
        case .array(let items): return .sequence(items.map { yamlNode($0, at: location) }, at: location)
        case .object(let fields):
            return .mapping(fields.map { YAMLPair(key: .scalar($0.0, .plain, at: location), value: yamlNode($0.1, at: location)) }, at: location)
        default: return .scalar(value.text, .plain, at: location)
        }
    }
}
