import ETLCore
import ETLExpr
import struct ETLExpr.Expression

/// `when:` of the postgres sink: only records for which it holds are written; the
/// others are ignored (not rejected), as with the email and http sinks. One event
/// exploded into order lines can then feed an event-level table once.
extension PostgresSink {
    static let when = OptionKey<String?>("when", .expression,
        doc: "Only records for which this holds are written; the others are ignored (not rejected).",
        example: "coalesce(_index, 0) == 0")

    static func condition(_ options: Options) throws -> Expression? {
        guard let text = options[when] else { return nil }
        do { return try Expression.compile(text) } catch { throw options.error(when, "\(error)") }
    }

    /// The batch's records this sink writes; a condition that cannot be evaluated rejects its record.
    func selected(_ batch: Batch, _ context: RunContext) -> [Record] {
        guard let condition else { return batch.records }
        var kept: [Record] = []
        for record in batch.records {
            do {
                if try FilterTransform.holds(condition, record, context) { kept.append(record) }
            } catch {
                preRejects.append(Rejection(record: record, stage: "postgres sink", reasons: ["when: \(error)"]))
            }
        }
        return kept
    }
}
