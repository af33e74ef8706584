import ETLCore
import ETLExpr

/// Tags each record with the first route whose condition holds; sinks with a
/// matching `route:` take them (created → insert, updated → upsert, deleted → soft delete).
public final class RouteTransform: TransformConnector {
    enum Route {
        static let name = OptionKey<String>("name", required: true, doc: "Route name, matched by a sink's `route:`.")
        static let when = OptionKey<String?>("when", .expression, required: true, doc: "Condition for this route.")
    }
    static let routes = OptionKey<[Value]>("routes", .list(.block([Route.name, Route.when])), required: true, doc: "Ordered routes.",
                                           example: "[{name: deleted, when: event == \"deleted\"}]")
    static let `default` = OptionKey<String?>("default", doc: "Route for records no condition matched.")

    public static let spec = ConnectorSpec(
        kind: .transform, name: "route",
        summary: "Send records to different sinks by condition.",
        description: "Routes are tried in order; the first whose `when` holds wins. Unmatched records take `default`, or are dropped (counted) when there is none.",
        options: [routes, `default`],
        example: """
        transforms:
          - type: route
            routes:
              - {name: upsert, when: event == "created" or event == "updated"}
              - {name: delete, when: event == "deleted"}
        sinks:
          - {type: postgres, route: upsert, ...}
          - {type: postgres, route: delete, mode: soft_delete, ...}
        """)

    let routes: [(name: String, when: Expression)]
    let fallback: String?

    public init(options: Options, context: BuildContext) throws {
        routes = try options[Self.routes].map { item in
            let o = Options(item.objectValue ?? Fields())
            let name = o[Route.name]
            do { return (name, try Expression.compile(o[Route.when] ?? "false")) }
            catch { throw options.error(Self.routes, "route '\(name)': \(error)") }
        }
        fallback = options[Self.default]
    }

    public func process(_ batch: Batch, _ context: RunContext) throws -> TransformOutput {
        var out: [Record] = []
        var rejects: [Rejection] = []
        for var record in batch.records {
            do {
                record.route = try routes.first { try FilterTransform.holds($0.when, record, context) }?.name ?? fallback
            } catch {
                rejects.append(Rejection(record: record, stage: "route", reasons: ["\(error)"])); continue
            }
            if record.route == nil { context.metrics.add("records_unrouted", 1); continue }
            out.append(record)
        }
        return TransformOutput(Batch(out), rejects: rejects)
    }
}
