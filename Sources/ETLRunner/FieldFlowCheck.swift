import ETLCore
import ETLConfig
import struct ETLExpr.Expression

extension PipelineValidation {
    /// When the source knows its fields (a CSV header; a query's columns under
    /// `--check-connections`), follows them through the transforms and reports every
    /// rule, expression or sink column naming a field no earlier stage produces — a
    /// misspelling that would otherwise reject or null every record silently.
    public static func fieldCheck(_ spec: PipelineSpec, registry: ConnectorRegistry, connect: Bool) -> [Diagnostic] {
        let context = BuildContext(baseDirectory: spec.baseDirectory, pipelineName: spec.name, dryRun: true, registry: registry,
                                   varNames: Set(spec.vars.map(\.name)))
        let declared = registry.lookup(.source, spec.source.type)?.spec.recordFields
        let described = (try? registry.source(spec.source.type, spec.source.options, context) as? FieldDescribing)
            .flatMap { (try? $0.recordFields(connect: connect)) ?? nil }
        guard let fields = declared ?? described else { return [] }
        var flow = FieldFlow(known: fields, origin: "the \(spec.source.type) source", variables: Set(spec.vars.map(\.name)))
        for stage in spec.transforms {
            flow.transform(stage)
            if flow.known == nil { break }
        }
        if flow.known != nil { for sink in spec.sinks { flow.sink(sink) } }
        return flow.diagnostics
    }
}

/// The fields available at each stage, and what was found naming others.
struct FieldFlow {
    /// nil once a stage reshapes records in a way not followed (explode, plugins): checking stops.
    var known: [String]?
    var origin: String
    let variables: Set<String>
    var diagnostics: [Diagnostic] = []

    init(known: [String], origin: String, variables: Set<String>) {
        self.known = known; self.origin = origin; self.variables = variables
    }

    mutating func transform(_ stage: StageSpec) {
        let o = stage.options
        switch stage.type {
        case "validate":
            for (path, _) in o.map("rules") { field(path, "rule", stage, option: "rules.\(path)") }
        case "filter":
            expression(o.string("when"), "when", stage, option: "when")
        case "dedupe":
            expression(o.string("key"), "key", stage, option: "key")
        case "route":
            for (i, route) in o.list("routes").enumerated() {
                expression(route.objectValue?["when"]?.stringValue, "route \(route.objectValue?["name"]?.text ?? "\(i)")", stage, option: "routes")
            }
        case "coerce":
            for (path, _) in o.map("fields") { field(path, "coerce", stage, option: "fields.\(path)") }
        case "map":
            for (name, value) in o.map("fields") { expression(value.stringValue, "field \(name)", stage, option: "fields.\(name)") }
            for (old, _) in o.map("rename") { field(old, "rename", stage, option: "rename.\(old)") }
            for name in o.strings("keep") { field(name, "keep", stage, option: "keep") }
            for name in o.strings("drop") { field(name, "drop", stage, option: "drop") }
            var out = o.bool("replace") ? [] : (known ?? [])
            for (old, new) in o.map("rename") { out = out.map { $0 == old ? new.text : $0 } }
            let keep = o.strings("keep")
            if !keep.isEmpty { out = out.filter(keep.contains) }
            out.removeAll(where: o.strings("drop").contains)
            add(o.map("fields").map(\.0), to: &out)
            known = out; origin = "\(stage.label) (map)"
        case "lookup":
            expression(o.string("key"), "key", stage, option: "key")
            var out = known ?? []
            add(o.map("fields").map(\.0), to: &out)
            known = out
        case "http":
            expression(o.string("when"), "when", stage, option: "when")
            for (name, value) in o.map("fields") { expression(value.stringValue, "body field \(name)", stage, option: "fields.\(name)") }
            var out = known ?? []
            add(o.map("response").map(\.0), to: &out)
            known = out
        default:
            known = nil
        }
    }

    mutating func sink(_ stage: StageSpec) {
        guard stage.type == "postgres" else { return }
        for (column, path) in stage.options.map("columns") { field(path.text, "column \(column)", stage, option: "columns.\(column)") }
        for (column, path) in stage.options.object("lookup").map("match") { field(path.text, "lookup match \(column)", stage, option: "lookup") }
    }

    private func add(_ names: [String], to out: inout [String]) {
        for name in names.map(Self.top) where !out.contains(name) { out.append(name) }
    }

    private static func top(_ path: String) -> String { String(path.split(separator: ".", maxSplits: 1).first ?? Substring(path)) }

    private mutating func expression(_ source: String?, _ what: String, _ stage: StageSpec, option: String) {
        guard let source, let compiled = try? Expression.compile(source) else { return }
        for name in compiled.referencedVariables.sorted() where !variables.contains(name) {
            field(name, what, stage, option: option)
        }
    }

    private mutating func field(_ path: String, _ what: String, _ stage: StageSpec, option: String) {
        guard let known else { return }
        let name = Self.top(path)
        guard !name.isEmpty, !known.contains(name), !variables.contains(name), !name.hasPrefix("_") else { return }
        let location = stage.options.locations[option] ?? stage.options.locations[String(option.split(separator: ".").first ?? "")] ?? stage.location
        diagnostics.append(Diagnostic(.error, "\(stage.label) (\(stage.type)): \(what) names field '\(name)', which no earlier stage produces",
                                      at: location,
                                      hint: Suggest.didYouMean(name, known) ?? "fields here, from \(origin): \(known.joined(separator: ", "))"))
    }
}
