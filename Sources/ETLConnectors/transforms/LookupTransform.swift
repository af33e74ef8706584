import Foundation
import ETLCore
import ETLExpr
import ETLPostgres
import struct ETLExpr.Expression

/// Enriches records from a PostgreSQL table: one `= ANY($1)` query per batch
/// for the keys not yet cached this run.
public final class LookupTransform: TransformConnector {
    static let database = OptionKey<String>("database", .secret, required: true, doc: "libpq URI.", example: "${DATABASE_URL}")
    static let table = OptionKey<String>("table", required: true, doc: "Table to read.", example: "customers")
    static let key = OptionKey<String>("key", .expression, required: true, doc: "Expression giving the record's key.", example: "customerId")
    static let match = OptionKey<String?>("match", required: true, doc: "Column compared with the key.", example: "id")
    static let fields = OptionKey<Fields>("fields", .map(.string), required: true, doc: "Output field → column.", example: "{customer_email: email}")
    static let onMiss = OptionKey<String>("on_miss", .oneOf(["reject", "drop", "keep"]), default: "reject", doc: "No row: reject the record, drop it, or keep it with null fields.")

    public static let spec = ConnectorSpec(
        kind: .transform, name: "lookup",
        summary: "Enrich records from a PostgreSQL table by key, batched and cached.",
        options: [database, table, key, match, fields, onMiss],
        example: """
        transforms:
          - type: lookup
            database: ${DATABASE_URL}
            table: customers
            key: customerId
            match: id
            fields: {customer_email: email}
        """)

    let url: String
    let table: String
    let key: Expression
    let match: String
    let fields: [(String, String)]
    let onMiss: String
    var connection: PostgresConnection?
    var cache: [String: Fields?] = [:]

    public init(options: Options, context: BuildContext) throws {
        url = options[Self.database]
        table = options[Self.table]
        do { key = try Expression.compile(options[Self.key]) } catch { throw options.error(Self.key, "\(error)") }
        match = options[Self.match] ?? "id"
        fields = options[Self.fields].map { ($0.0, $0.1.text) }
        onMiss = options[Self.onMiss]
    }

    deinit { connection?.close() }

    public func process(_ batch: Batch, _ context: RunContext) throws -> TransformOutput {
        if connection == nil { connection = try PostgresConnection(url: url) }
        var keys: [Result<Value, Error>] = []
        var missing = Set<String>()
        for record in batch.records {
            let k = Result { try key.evaluate(record: record.fields, variables: nil, now: context.startedAt) }
            keys.append(k)
            if case .success(let v) = k, !v.isNull, cache[v.text] == nil { missing.insert(v.text) }
        }
        if !missing.isEmpty { try fetch(Array(missing)) }
        var out: [Record] = []
        var rejects: [Rejection] = []
        for (record, result) in zip(batch.records, keys) {
            // A key that cannot be computed is the record's fault, whatever on_miss says.
            guard case .success(let k) = result else {
                if case .failure(let error) = result { rejects.append(Rejection(record: record, stage: "lookup", reasons: ["key: \(error)"])) }
                continue
            }
            var r = record
            if !k.isNull, let found = cache[k.text] ?? nil {
                for (name, _) in fields { r[name] = found[name] ?? .null }
                out.append(r)
                continue
            }
            switch onMiss {
            case "drop": continue
            case "keep":
                for (name, _) in fields { r[name] = .null }
                out.append(r)
            default:
                rejects.append(Rejection(record: record, stage: "lookup",
                                         reasons: [k.isNull ? "no key to look up in \(table) (\(key.source) is null)"
                                                             : "no \(table) row with \(match) = \(k.text)"]))
            }
        }
        return TransformOutput(Batch(out), rejects: rejects)
    }

    private func fetch(_ keys: [String]) throws {
        guard let c = connection else { return }
        let q = PostgresConnection.quoteIdentifier
        let cols = fields.map { "\(q($0.1))" }.joined(separator: ", ")
        let r = try c.execute("SELECT \(q(match))::text AS _key, \(cols) FROM \(q(table)) WHERE \(q(match))::text = ANY($1::text[])",
                              [.array(keys.map { .string($0) })])
        for k in keys { cache[k] = .some(nil) }
        for row in r.rows() {
            guard let k = row["_key"]?.text else { continue }
            var f = Fields()
            for (name, column) in fields { f[name] = row[column] ?? .null }
            cache[k] = f
        }
    }
}
