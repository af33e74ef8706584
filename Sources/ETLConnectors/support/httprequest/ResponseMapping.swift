import Foundation
import ETLCore
import ETLExpr
import ETLHTTP
import struct ETLExpr.Expression

/// The `http` transform's `response:` block: fields merged into each record,
/// computed by expressions over `status`, `body` (the parsed JSON, or text) and
/// `headers` (lower-case names). The record's own fields are in scope too, under
/// those three. With `batch_size` above 1 the response body must be a JSON
/// array with one item per record sent: `body` is that record's item.
struct ResponseMapping {
    let fields: [(path: [String], name: String, expression: Expression)]
    let readsBody: Bool
    let stage: String

    init(_ mapping: Fields, options: Options, option: String, stage: String) throws {
        fields = try mapping.map { name, source in
            do { return (name.split(separator: ".").map(String.init), name, try Expression.compile(source.text)) }
            catch { throw options.error(option, "\(option) field '\(name)': \(error)") }
        }
        readsBody = fields.contains { $0.expression.referencedVariables.contains("body") }
        self.stage = stage
    }

    func apply(_ delivered: RequestDelivery.Delivered, now: Date) -> (records: [Record], rejects: [Rejection]) {
        guard !fields.isEmpty else { return (delivered.records, []) }
        let response = delivered.response
        let body = Self.parse(response.body)
        var headers = Fields()
        for (name, value) in response.headers where headers[name.lowercased()] == nil { headers[name.lowercased()] = .string(value) }
        var items: [Value]? = nil
        if delivered.batched && readsBody {
            guard case .array(let list) = body, list.count == delivered.records.count else {
                let reason = "HTTP \(response.status) answer is not a JSON array of \(delivered.records.count) items, one per record sent: \(response.bodyExcerpt())"
                return ([], delivered.records.map { Rejection(record: $0, stage: stage, reasons: [reason]) })
            }
            items = list
        }
        var out: [Record] = []
        var rejects: [Rejection] = []
        for (i, record) in delivered.records.enumerated() {
            let scope = Fields([("status", .int(Int64(response.status))), ("body", items?[i] ?? body), ("headers", .object(headers))])
            var result = record.fields
            var failed: [String] = []
            for f in fields {
                do {
                    let value = try f.expression.evaluate(record: scope, variables: record.fields, now: now)
                    if f.path.count == 1 { result[f.name] = value } else { FieldPath.set(&result, f.path, value) }
                } catch {
                    failed.append("response \(f.name): \(error)")
                }
            }
            if failed.isEmpty { out.append(Record(result, position: record.position, route: record.route)) }
            else { rejects.append(Rejection(record: record, stage: stage, reasons: failed)) }
        }
        return (out, rejects)
    }

    /// JSON when it parses, else the text; an empty body is null.
    static func parse(_ data: Data) -> Value {
        if data.isEmpty { return .null }
        let bytes = [UInt8](data)
        if let value = try? JSONStreamReader.parse(bytes, source: "response") { return value }
        return .string(String(decoding: bytes, as: UTF8.self))
    }
}
