import Foundation
import ETLCore
import ETLExpr
import ETLHTTP

/// The idempotency key each request carries, so the receiver can drop a
/// repeat: a retry, or a whole run replayed after a crash.
///
/// By default it is derived from nothing that changes between runs:
/// `sha256(pipeline ␟ record key ␟ sha256(body))`, where the record key is the
/// values of the `key` fields (or, without `key`, the method and URL). The same
/// record sent by the same pipeline always carries the same key; a changed
/// record carries a new one. Positions, run ids and clocks are left out on purpose.
struct IdempotencyKeys {
    /// nil: no header is sent.
    let header: String?
    let template: Template?
    let keyFields: [String]?
    let pipeline: String

    init(_ options: Options, pipeline: String) throws {
        typealias O = HTTPRequestOptions
        let header = options[O.idempotencyHeader].trimmingCharacters(in: .whitespaces)
        self.header = header.isEmpty ? nil : header
        if let text = options[O.idempotencyKey] {
            do { template = try Expression.compileTemplate(text) } catch let e as ExpressionError {
                throw options.error(O.idempotencyKey, "idempotency_key: \(e.message) at character \(e.offset + 1) of the template", hint: e.hint)
            }
        } else {
            template = nil
        }
        keyFields = options[O.key]
        if let keyFields, keyFields.isEmpty { throw options.error(O.key, "key is empty", hint: "name the fields that identify a record, or leave it out") }
        self.pipeline = pipeline
    }

    /// The key for one request carrying `records` (one, or a batch) with this body.
    func key(for records: [Fields], method: HTTPMethod, url: String, body: Data, now: Date) throws -> String? {
        guard header != nil else { return nil }
        if let template {
            let rendered = try records.map { record -> String in
                do { return try template.renderStrict(record: record, now: now) }
                catch { throw ExpressionRuntimeError("idempotency_key: \(error)") }
            }
            return rendered.count == 1 ? rendered[0] : Digests.sha256Hex(rendered.joined(separator: "\u{1f}"))
        }
        let identity: String
        if let keyFields {
            identity = records.map { record in
                keyFields.map { JSONWriter.string(record[$0] ?? .null) }.joined(separator: "\u{1e}")
            }.joined(separator: "\u{1f}")
        } else {
            identity = method.rawValue + " " + url
        }
        return Digests.sha256Hex(pipeline + "\u{1f}" + identity + "\u{1f}" + Digests.sha256Hex(body))
    }
}
