import ETLCore
import ETLExpr

/// Keeps records for which a condition holds; the others are dropped (not rejected).
public final class FilterTransform: Transform {
    public static let spec = ConnectorSpec(
        kind: .transform, name: "filter",
        summary: "Keep only records where an expression is true.",
        description: "Null or false drops the record. A record whose condition fails to evaluate is rejected with the reason.",
        options: [
            OptionSpec("when", .expression, required: true, doc: "Condition over the record's fields.", example: "qty > 0 and sku != \"\""),
        ],
        example: """
        transforms:
          - type: filter
            when: status != "deleted"
        """)

    let condition: Expression

    public init(options: Options, context: BuildContext) throws {
        do { condition = try Expression.compile(options.string("when") ?? "true") }
        catch { throw options.error("when", "\(error)") }
    }

    public func process(_ batch: Batch, _ context: RunContext) throws -> TransformOutput {
        var kept: [Record] = []
        var rejects: [Rejection] = []
        for record in batch.records {
            do {
                if try condition.evaluate(record: record.fields, variables: nil, now: context.startedAt) == .bool(true) {
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
}
