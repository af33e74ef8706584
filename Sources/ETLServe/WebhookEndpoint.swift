import Foundation
import Crypto
import ETLCore
import ETLConfig
import ETLRunner
import struct ETLExpr.Expression

/// One webhook pipeline as the server sees it: its route, its verification,
/// its compiled intake rules and its inbox.
final class WebhookEndpoint: @unchecked Sendable {
    let spec: PipelineSpec
    let trigger: TriggerSpec
    let database: String
    let verifier: RequestVerifier
    let store: InboxStore
    private let accept: [(when: Expression, message: Expression?, text: String)]
    private let keyExpression: Expression?
    /// on_commit requests run concurrently: each takes a processor (its own plan) from here.
    let processors: ProcessorPool

    init(spec: PipelineSpec, makeProcessor: @escaping () throws -> InboxProcessor) throws {
        guard let trigger = spec.trigger else { throw ETLError("\(spec.file): not a webhook pipeline") }
        self.spec = spec; self.trigger = trigger
        let first = try makeProcessor()
        database = first.database
        verifier = RequestVerifier(verification: trigger.verify)
        store = InboxStore(pipeline: spec.name)
        accept = try trigger.accept.map { (try Expression.compile($0.when), try $0.message.map(Expression.compile), $0.when) }
        if case .expression(let text) = trigger.idempotencyKey { keyExpression = try Expression.compile(text) } else { keyExpression = nil }
        processors = ProcessorPool(first: first, make: makeProcessor)
        if case .hmac(let h) = trigger.verify, h.secret.isEmpty {
            throw ETLError("\(spec.file): trigger.verify.hmac.secret is empty", hint: "set the environment variable the pipeline names for it")
        }
        if case .apiKey(_, let secret) = trigger.verify, secret.isEmpty {
            throw ETLError("\(spec.file): trigger.verify.api_key.secret is empty", hint: "set the environment variable the pipeline names for it")
        }
    }

    /// Whether any intake rule reads the request (else the scope is not built: a cost per request).
    var needsScope: Bool { !accept.isEmpty || keyExpression != nil }

    /// What the intake rules see: the body's fields (an object body), `_headers`, `_received_at`, `_raw_body`.
    func intakeScope(body: Value, headers: Fields, raw: [UInt8]) -> Fields {
        guard needsScope else { return Fields() }
        var scope = body.objectValue ?? Fields()
        scope["_headers"] = .object(headers)
        scope["_received_at"] = .timestamp(Date())
        scope["_raw_body"] = .string(String(decoding: raw, as: UTF8.self))
        return scope
    }

    /// The first `accept` rule that does not hold, as the 400 message; nil when all hold.
    func refusal(_ scope: Fields) -> String? {
        for rule in accept {
            let holds = (try? rule.when.evaluate(record: scope, variables: Fields(), now: Date())) == .bool(true)
            guard !holds else { continue }
            if let message = rule.message, let text = try? message.evaluate(record: scope, variables: Fields(), now: Date()), !text.isNull {
                return text.text
            }
            return "request not accepted: \(rule.text)"
        }
        return nil
    }

    private static let digits = Array("0123456789abcdef".utf8)
    static func hex(_ bytes: [UInt8]) -> String {
        var out = [UInt8](); out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0x0f)]) }
        return String(decoding: out, as: UTF8.self)
    }

    enum KeyProblem: Error { case missing(String) }

    func idempotencyKey(raw: [UInt8], header: (String) -> String?, scope: Fields) throws -> String {
        switch trigger.idempotencyKey {
        case .bodyHash:
            return Self.hex(Array(SHA256.hash(data: raw)))
        case .header(let name):
            guard let value = header(name), !value.isEmpty else { throw KeyProblem.missing("missing \(name) header (the idempotency key)") }
            return value
        case .expression:
            var value = Value.null
            if let e = keyExpression, let v = try? e.evaluate(record: scope, variables: Fields(), now: Date()) { value = v }
            guard !value.isNull, !value.text.isEmpty else { throw KeyProblem.missing("the idempotency key is empty for this request") }
            return value.text
        }
    }
}

/// Processors (each with its own plan) lent to one request at a time.
final class ProcessorPool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [InboxProcessor]
    private let make: () throws -> InboxProcessor

    init(first: InboxProcessor, make: @escaping () throws -> InboxProcessor) { idle = [first]; self.make = make }

    func with<T>(_ body: (InboxProcessor) throws -> T) throws -> T {
        lock.lock()
        let taken = idle.popLast()
        lock.unlock()
        let p = try taken ?? make()
        defer { lock.lock(); idle.append(p); lock.unlock() }
        return try body(p)
    }
}
