import ETLCore
import ETLExpr

/// Keeps records for which a condition holds; the others are dropped (not rejected).
public final class FilterTransform: TransformConnector {
    static let when = OptionKey<String?>("when", .expression, required: true, doc: "Condition over the record's fields.", example: "qty > 0 and sku != \"\"")

    public static let spec = ConnectorSpec(
        kind: .transform, name: "filter",
        summary: "Keep only records where an expression is true.",
        description: "Null or false drops the record. A record whose condition fails to evaluate is rejected with the reason.",
        options: [when],
        example: """
        transforms:
          - type: filter
            when: status != "deleted"
        """)

    let condition: Expression

    public init(options: Options, context: BuildContext) throws {
        do { condition = try Expression.compile(options[Self.when] ?? "true") }
        catch { throw options.error(Self.when, "\(error)") }
    }

    public func process(_ batch: Batch, _ context: RunContext) throws -> TransformOutput {
        var kept: [Record] = []
        var rejects: [Rejection] = []
        for record in batch.records {
            do {
                if try Self.holds(condition, record, context) {
                    kept.append(record)
                } else {
                    context.metrics.add("records_filtered", 1)
                }
            } catch {
                rejects.append(Rejection(record: record, stage: "filter", reasons: ["\(error)"]))
            }
        }
        return TransformOutput(Batch(kept), rejects: rejects)
    }

    /// True, false or null, as `and`/`or` see it: any other result is a mistake in
    /// the condition (`when: flag` on "yes"), rejected rather than silently dropped.
    static func holds(_ condition: Expression, _ record: Record, _ context: RunContext) throws -> Bool {
        let value = try condition.evaluate(record: record.fields, variables: nil, now: context.startedAt)
        switch value {
        case .bool(let b): return b
        case .null: return false
        default:
            let shown = value.typeName == "string" ? "\"\(value.text)\"" : value.text
            throw ETLError("condition gave \(value.typeName) \(shown.count > 40 ? String(shown.prefix(40)) + "…" : shown), expected true, false or null")
        }
    }
}
