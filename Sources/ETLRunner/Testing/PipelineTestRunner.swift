import Foundation
import ETLCore
import ETLConfig
import struct ETLExpr.Expression

/// Runs a test file's cases through the pipeline's transforms — built from the
/// pipeline as `etl run` builds them, with stubs for stages that would call out —
/// and compares the records and rejects with the expectations.
public struct PipelineTestRunner {
    /// Stages that talk to another system: a test must stub them.
    static let outbound: Set<String> = ["http", "lookup"]

    public struct CaseResult {
        public var name: String
        public var location: SourceLocation
        /// Empty: passed.
        public var failures: [String]
        public var passed: Bool { failures.isEmpty }
    }

    public let registry: ConnectorRegistry
    public init(registry: ConnectorRegistry) { self.registry = registry }

    /// Results per case; throws (a configuration error) when the pipeline does not load.
    public func run(_ test: PipelineTestFile) throws -> (pipeline: String, results: [CaseResult]) {
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in test.environment { environment[k] = v }
        let loaded = PipelineLoader(registry: registry, environment: environment).load(path: test.pipeline)
        guard let spec = loaded.spec else {
            let first = loaded.diagnostics.first { $0.severity == .error }.map(\.description) ?? "does not load"
            throw ETLError("\(test.file): pipeline \(test.pipeline) is invalid: \(first)", hint: "run `etl validate \(test.pipeline)`")
        }
        let labels = spec.transforms.map(\.label)
        for c in test.cases {
            for label in c.stubs.keys where !labels.contains(label) {
                throw ETLError("case '\(c.name)' stubs '\(label)', which is no transform of \(spec.name)",
                               hint: Suggest.didYouMean(label, labels) ?? "its transforms: \(labels.joined(separator: ", "))",
                               location: c.stubs[label]?.location)
            }
        }
        let results = try test.cases.map { try run($0, spec) }
        return (spec.name, results)
    }

    private func run(_ testCase: PipelineTestFile.Case, _ spec: PipelineSpec) throws -> CaseResult {
        let context = RunContext(runID: "test", pipeline: spec.name, logger: Logger(minimumLevel: .error, write: { _ in }), dryRun: true)
        var variables = Fields()
        for (name, source) in spec.vars {
            let value = (try? Expression.compile(source).evaluate(record: Fields(), variables: variables, now: context.startedAt)) ?? .null
            variables[name] = value
        }
        context.vars = variables
        let build = BuildContext(baseDirectory: spec.baseDirectory, pipelineName: spec.name, dryRun: true, registry: registry,
                                 varNames: Set(spec.vars.map(\.name)))
        var transforms: [Transform] = []
        for stage in spec.transforms {
            if let stub = testCase.stubs[stage.label] {
                transforms.append(try StubbedStage(stage: stage, stub: stub, variables: variables))
            } else if Self.outbound.contains(stage.type) {
                throw ETLError("case '\(testCase.name)': \(stage.label) (\(stage.type)) would call another system; stub it",
                               hint: "stubs: {\(stage.label): {fields: {name: expression}}}", location: testCase.location)
            } else {
                transforms.append(try registry.transform(stage.type, stage.options, build))
            }
        }
        var rejects: [Rejection] = []
        context.rejectHandler = { rejects.append($0) }
        var output: [Record] = []
        func push(_ batch: Batch, from index: Int) throws {
            var current = batch
            for transform in transforms[index...] {
                let out = try transform.process(current, context)
                rejects += out.rejects
                current = out.batch
                if current.isEmpty { return }
            }
            output += current.records
        }
        let input = Batch(testCase.input.enumerated().map { Record($1, position: $0) })
        var failures: [String] = []
        do {
            if !input.isEmpty { try push(input, from: 0) }
            for i in transforms.indices {
                let out = try transforms[i].finish(context)
                rejects += out.rejects
                if !out.batch.isEmpty { try push(out.batch, from: i + 1) }
            }
        } catch {
            failures.append("the transforms failed: \(error)")
        }
        if let expected = testCase.expectedRecords {
            let actual = output.map { r -> Value in
                var f = r.fields
                if let route = r.route { f["_route"] = .string(route) }
                return .object(f)
            }
            failures += Self.compareRecords(expected, actual)
        }
        if let expected = testCase.expectedRejects {
            failures += Self.compareRejects(expected, rejects)
        }
        return CaseResult(name: testCase.name, location: testCase.location, failures: failures)
    }

    /// Differences, numbered from 1 like the records in log messages.
    static func compareRecords(_ expected: [Value], _ actual: [Value]) -> [String] {
        var out: [String] = []
        if expected.count != actual.count { out.append("records: expected \(expected.count), got \(actual.count)") }
        for i in 0..<max(expected.count, actual.count) {
            let n = i + 1
            if i >= actual.count { out.append("record \(n): missing, expected \(ValueMatch.show(expected[i]))"); continue }
            if i >= expected.count { out.append("record \(n): not expected, got \(ValueMatch.show(actual[i]))"); continue }
            out += ValueMatch.differences(expected: expected[i], actual: actual[i], path: "").map { "record \(n): \($0)" }
        }
        return out
    }

    static func compareRejects(_ expected: [(record: Int?, reason: String?, location: SourceLocation)], _ actual: [Rejection]) -> [String] {
        var out: [String] = []
        if expected.count != actual.count {
            out.append("rejects: expected \(expected.count), got \(actual.count)")
        }
        for i in 0..<max(expected.count, actual.count) {
            let n = i + 1
            if i >= actual.count { out.append("reject \(n): missing (\(expected[i].location))"); continue }
            let got = actual[i]
            let reasons = got.reasons.joined(separator: "; ")
            let input = got.record.position + 1
            if i >= expected.count { out.append("reject \(n): not expected, got input record \(input): \(reasons)"); continue }
            if let r = expected[i].record, r != input {
                out.append("reject \(n): expected input record \(r), got \(input) (\(reasons))")
            }
            if let r = expected[i].reason, !reasons.contains(r) {
                out.append("reject \(n): expected a reason containing \"\(r)\", got \"\(reasons)\"")
            }
        }
        return out
    }
}
