import Foundation
import ETLCore
import ETLExpr
import struct ETLExpr.Expression

/// `dedupe: {key, window}` of a per-record message sink (the notifier sinks, `email`):
/// records with the same key get one message per window, across runs, remembered in
/// `etl_alerts_sent` of the pipeline's database.
struct AlertDedupe {
    static let key = OptionKey<String>("key", required: true, doc: "Template: records with the same key share one message per window.", example: "\"{{ sku }}\"")
    static let window = OptionKey<Double>("window", .duration, default: 3600, doc: "No second message for a key within this long, across runs.", example: "1h")
    static let database = OptionKey<String?>("database", .secret,
        doc: "Where `etl_alerts_sent` remembers sent keys (default: the pipeline's `database`).", example: "${DATABASE_URL}")
    static let option = OptionKey<Options?>("dedupe", [key, window, database],
        doc: "De-duplication by key over a time window, remembered in the database (`etl_alerts_sent`).",
        example: "{key: \"{{ sku }}\", window: 1h}")

    let key: Template
    let window: Double
    let database: String
    let pipeline: String
    /// Which alert of the pipeline the keys belong to (the connector's name).
    let alert: String

    /// nil when the stage has no `dedupe:`.
    init?(_ options: Options, alert: String, context: BuildContext) throws {
        guard let d = options[Self.option] else { return nil }
        do { key = try Expression.compileTemplate(d[Self.key]) } catch let e as ExpressionError {
            throw d.error(Self.key, "\(alert) dedupe key: \(e.message) at character \(e.offset + 1) of the template", hint: e.hint)
        }
        window = d[Self.window]
        guard window > 0 else { throw d.error(Self.window, "dedupe window must be longer than 0") }
        guard let url = d[Self.database] ?? context.pipelineDatabase else {
            throw options.error(Self.option, "\(alert) dedupe needs a database to remember sent messages in",
                                hint: "set the pipeline's `database:` or `dedupe.database`")
        }
        database = url; pipeline = context.pipelineName; self.alert = alert
    }

    func render(_ record: Fields, _ variables: Fields, now: Date) -> String {
        key.render(record: record, variables: variables, now: now)
    }

    /// The items whose key is new in this run and not sent within the window, and the store
    /// to mark them in once sent. Throws when the database cannot say: then nothing is sent,
    /// so nothing is sent twice.
    func due<T>(_ items: [T], key: (T) -> String) throws -> ([T], AlertsSent) {
        var seen = Set<String>()
        let unique = items.filter { seen.insert(key($0)).inserted }
        let store = try AlertsSent(url: database, pipeline: pipeline, alert: alert)
        do {
            let recent = try store.recent(unique.map(key), window: window)
            return (unique.filter { !recent.contains(key($0)) }, store)
        } catch {
            store.close()
            throw error
        }
    }
}
