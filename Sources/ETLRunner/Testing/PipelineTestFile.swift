import Foundation
import ETLCore
import ETLConfig

/// A pipeline's unit tests (`etl test`), in YAML beside it: `pipelines/tests/NAME.test.yaml`
/// (or `NAME.test.yaml` next to the pipeline). Each case gives input records — as the source
/// would produce them — and the records and rejects expected after the transforms. Stages that
/// would call out (http, lookup) are replaced by stubs; nothing external is touched.
public struct PipelineTestFile {
    public struct Stub {
        /// Fields merged into each record the stage handles: expressions over the record.
        var fields: [(name: String, expression: String)] = []
        /// Keyed answers: the stage's key (`by`, default the lookup's `key`) → fields.
        var by: String?
        var rows: [String: Fields] = [:]
        /// Records for which this holds are rejected, as a failed request or a lookup miss would be.
        var reject: String?
        var location: SourceLocation
    }

    public struct Case {
        public var name: String
        var input: [Fields]
        var stubs: [String: Stub]
        var expectedRecords: [Value]?
        /// `record`: which input record, counted from 1 as log messages count them.
        var expectedRejects: [(record: Int?, reason: String?, location: SourceLocation)]?
        public var location: SourceLocation
    }

    public var file: String
    /// The pipeline under test, resolved against the test file's directory.
    public var pipeline: String
    var environment: [String: String]
    public var cases: [Case]

    /// Parses a test file; every problem is a diagnostic with its line and column.
    public static func load(_ path: String) -> (PipelineTestFile?, [Diagnostic]) {
        let loaded = YAMLLoader.load(path: path)
        var diagnostics = loaded.diagnostics
        guard let root = loaded.root, !loaded.hasErrors else { return (nil, diagnostics) }
        func error(_ message: String, _ node: YAMLNode, hint: String? = nil, at location: SourceLocation? = nil) {
            diagnostics.append(Diagnostic(.error, message, at: location ?? node.location, hint: hint))
        }
        for key in root.keys where !["pipeline", "env", "stubs", "cases"].contains(key) {
            error("unknown key '\(key)' in a test file", root[key]!, hint: Suggest.didYouMean(key, ["pipeline", "env", "stubs", "cases"]) ?? "keys: pipeline, env, stubs, cases", at: root.keyLocation(key))
        }
        guard let pipelineNode = root["pipeline"], let pipelineText = pipelineNode.scalarText, !pipelineText.isEmpty else {
            error("a test file needs `pipeline:` (the pipeline file, relative to this one)", root, hint: "pipeline: ../inventory.yaml")
            return (nil, diagnostics)
        }
        let base = (path as NSString).deletingLastPathComponent
        let pipeline = pipelineText.hasPrefix("/") ? pipelineText : ((base.isEmpty ? "." : base) as NSString).appendingPathComponent(pipelineText)
        var environment: [String: String] = [:]
        for pair in root["env"]?.pairs ?? [] {
            if let k = pair.key.scalarText { environment[k] = pair.value.scalarText ?? pair.value.typedValue().text }
        }
        let shared = stubs(root["stubs"], &diagnostics)
        var cases: [Case] = []
        guard let items = root["cases"]?.items, !items.isEmpty else {
            error("a test file needs `cases:`, a list of {name, input, expect}", root["cases"] ?? root)
            return (nil, diagnostics)
        }
        for (i, item) in items.enumerated() {
            let name = item["name"]?.scalarText ?? "case \(i + 1)"
            for key in item.keys where !["name", "input", "stubs", "expect"].contains(key) {
                error("unknown key '\(key)' in case '\(name)'", item[key]!, hint: Suggest.didYouMean(key, ["name", "input", "stubs", "expect"]), at: item.keyLocation(key))
            }
            guard let inputNode = item["input"], let inputs = inputNode.items else {
                error("case '\(name)' needs `input:`, a list of records", item); continue
            }
            var input: [Fields] = []
            for node in inputs {
                guard let fields = node.typedValue().objectValue else { error("an input record must be a mapping", node); continue }
                input.append(fields)
            }
            var c = Case(name: name, input: input, stubs: shared, location: item.location)
            for (label, stub) in stubs(item["stubs"], &diagnostics) { c.stubs[label] = stub }
            guard let expect = item["expect"] else { error("case '\(name)' needs `expect:` (records and/or rejects)", item); continue }
            for key in expect.keys where !["records", "rejects"].contains(key) {
                error("unknown key '\(key)' in expect", expect[key]!, hint: Suggest.didYouMean(key, ["records", "rejects"]), at: expect.keyLocation(key))
            }
            c.expectedRecords = expect["records"].map { $0.items?.map { $0.typedValue() } ?? [] }
            if let rejects = expect["rejects"] {
                for node in rejects.items ?? [] {
                    for key in node.keys where !["record", "reason"].contains(key) {
                        error("unknown key '\(key)' in an expected reject", node[key]!,
                              hint: Suggest.didYouMean(key, ["record", "reason"]) ?? "keys: record (counted from 1), reason (part of the message)",
                              at: node.keyLocation(key))
                    }
                }
                c.expectedRejects = (rejects.items ?? []).map { node in
                    (node["record"]?.typedValue().intValue.map(Int.init), node["reason"]?.scalarText, node.location)
                }
            }
            if c.expectedRecords == nil && c.expectedRejects == nil { error("case '\(name)': `expect:` names neither records nor rejects", expect) }
            cases.append(c)
        }
        if diagnostics.contains(where: { $0.severity == .error }) { return (nil, diagnostics) }
        return (PipelineTestFile(file: path, pipeline: pipeline, environment: environment, cases: cases), diagnostics)
    }

    private static func stubs(_ node: YAMLNode?, _ diagnostics: inout [Diagnostic]) -> [String: Stub] {
        var out: [String: Stub] = [:]
        for pair in node?.pairs ?? [] {
            guard let label = pair.key.scalarText else { continue }
            var stub = Stub(location: pair.value.location)
            for key in pair.value.keys where !["fields", "by", "rows", "reject"].contains(key) {
                diagnostics.append(Diagnostic(.error, "unknown key '\(key)' in the stub of \(label)", at: pair.value[key]!.location,
                                              hint: Suggest.didYouMean(key, ["fields", "by", "rows", "reject"]) ?? "keys: fields, by, rows, reject"))
            }
            for f in pair.value["fields"]?.pairs ?? [] {
                if let name = f.key.scalarText { stub.fields.append((name, f.value.scalarText ?? f.value.typedValue().text)) }
            }
            stub.by = pair.value["by"]?.scalarText
            for r in pair.value["rows"]?.pairs ?? [] {
                if let key = r.key.scalarText, let fields = r.value.typedValue().objectValue { stub.rows[key] = fields }
            }
            stub.reject = pair.value["reject"]?.scalarText
            out[label] = stub
        }
        return out
    }
}
