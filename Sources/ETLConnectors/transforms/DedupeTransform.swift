import ETLCore
import ETLExpr

/// Drops records whose key was already seen. `keep: first` streams; `keep: last`
/// holds records until the end of the input, then releases them in input order.
/// A record whose key is null has no key: it is never a duplicate.
public final class DedupeTransform: TransformConnector {
    static let key = OptionKey<String>("key", .expression, required: true, doc: "Expression giving each record's key.", example: "lower(email)")
    static let keep = OptionKey<String>("keep", .oneOf(["first", "last"]), default: "last", doc: "Which of the duplicates survives.")
    static let warn = OptionKey<Bool>("warn", default: true, doc: "Log how many duplicates were dropped.")

    public static let spec = ConnectorSpec(
        kind: .transform, name: "dedupe",
        summary: "Remove records with a duplicate key, keeping the first or the last.",
        options: [key, keep, warn],
        example: """
        transforms:
          - type: dedupe
            key: sku
            keep: last
        """)

    let key: Expression
    let keepLast: Bool
    let warn: Bool
    var seen: Set<Value> = []
    /// keep-last: records held until `finish`, by arrival number (positions repeat after `explode`).
    var held: [Int: Record] = [:]
    var heldByKey: [Value: Int] = [:]
    var arrivals = 0
    var dropped = 0

    public init(options: Options, context: BuildContext) throws {
        do { key = try Expression.compile(options[Self.key]) } catch { throw options.error(Self.key, "\(error)") }
        keepLast = options[Self.keep] != "first"
        warn = options[Self.warn]
    }

    public func process(_ batch: Batch, _ context: RunContext) throws -> TransformOutput {
        var out: [Record] = []
        var rejects: [Rejection] = []
        for record in batch.records {
            let k: Value
            do { k = try key.evaluate(record: record.fields, variables: nil, now: context.startedAt) }
            catch { rejects.append(Rejection(record: record, stage: "dedupe", reasons: ["\(error)"])); continue }
            if keepLast {
                arrivals += 1
                held[arrivals] = record
                if k.isNull { continue }
                if let previous = heldByKey.updateValue(arrivals, forKey: k) { held[previous] = nil; dropped += 1 }
            } else if k.isNull || seen.insert(k).inserted {
                out.append(record)
            } else {
                dropped += 1
            }
        }
        return TransformOutput(Batch(out), rejects: rejects)
    }

    public func finish(_ context: RunContext) throws -> TransformOutput {
        if warn && dropped > 0 { context.logger.warning("dedupe dropped \(dropped) duplicate records (kept the \(keepLast ? "last" : "first"))") }
        context.metrics.add("records_deduplicated", dropped)
        // The execution ends here: the next one (the next inbox batch of a served pipeline) starts clean.
        let records = keepLast ? held.keys.sorted().compactMap { held[$0] } : []
        held = [:]; heldByKey = [:]; seen = []; arrivals = 0; dropped = 0
        return TransformOutput(Batch(records))
    }
}
