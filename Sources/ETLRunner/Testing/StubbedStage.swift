import Foundation
import ETLCore
import ETLConfig
import struct ETLExpr.Expression

/// Stands in for a stage that would call out (an http request, a database lookup) in
/// `etl test`: records the stage handles (its own `when:` is honoured) get the stub's
/// fields — expressions over the record, or a row keyed like the lookup — and a
/// `reject:` condition refuses records as a failed request or a lookup miss would.
final class StubbedStage: Transform {
    let label: String
    let when: Expression?
    let fields: [(name: String, expression: Expression)]
    let by: Expression?
    let rows: [String: Fields]
    let reject: Expression?
    /// For a lookup stub: what a key without a row does (the stage's `on_miss`).
    let onMiss: String
    let missFields: [String]
    let variables: Fields

    init(stage: StageSpec, stub: PipelineTestFile.Stub, variables: Fields) throws {
        label = stage.label
        func compile(_ source: String, _ what: String) throws -> Expression {
            do { return try Expression.compile(source) } catch {
                throw ETLError("the stub of \(stage.label): \(what) '\(source)' does not compile: \(error)", location: stub.location)
            }
        }
        when = try stage.options.string("when").map { try compile($0, "the stage's when") }
        fields = try stub.fields.map { ($0.name, try compile($0.expression, "field \($0.name)")) }
        let key = stub.by ?? (stage.type == "lookup" ? stage.options.string("key") : nil)
        by = try key.map { try compile($0, "by") }
        rows = stub.rows
        reject = try stub.reject.map { try compile($0, "reject") }
        onMiss = stage.type == "lookup" ? stage.options.string("on_miss", default: "reject") : "keep"
        missFields = stage.options.map("fields").keys
        self.variables = variables
        if by != nil && rows.isEmpty && stage.type == "lookup" && fields.isEmpty {
            throw ETLError("the stub of \(stage.label) gives neither `rows:` nor `fields:`", location: stub.location)
        }
    }

    func process(_ batch: Batch, _ context: RunContext) throws -> TransformOutput {
        var out: [Record] = []
        var rejects: [Rejection] = []
        for var record in batch.records {
            if let when, try !when.holds(record: record.fields, variables: variables, now: context.startedAt) {
                out.append(record); continue
            }
            if let reject, try reject.holds(record: record.fields, variables: variables, now: context.startedAt) {
                rejects.append(Rejection(record: record, stage: "\(label) (stub)", reasons: ["stubbed failure (reject: \(reject.source))"]))
                continue
            }
            if let by {
                let key = try by.evaluate(record: record.fields, variables: variables, now: context.startedAt)
                if let row = rows[key.text] {
                    for (name, value) in row { record.fields[name] = value }
                } else if !rows.isEmpty {
                    switch onMiss {
                    case "reject":
                        rejects.append(Rejection(record: record, stage: "\(label) (stub)", reasons: ["no row for key \(key.text)"]))
                        continue
                    case "drop": continue
                    default: for name in missFields { record.fields[name] = .null }
                    }
                }
            }
            var computed: [(String, Value)] = []
            for (name, expression) in fields {
                computed.append((name, try expression.evaluate(record: record.fields, variables: variables, now: context.startedAt)))
            }
            for (name, value) in computed { record.fields[name] = value }
            out.append(record)
        }
        return TransformOutput(Batch(out), rejects: rejects)
    }
}
