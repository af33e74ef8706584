import Foundation
import Hummingbird
import ETLCore
import ETLConfig
import ETLPostgres
import ETLRunner

/// What happens to one request, in order: route, size, signature, JSON,
/// `accept` rules, idempotency key, then the inbox — committed before the 202.
/// Nothing is acknowledged that is not stored: a database error answers 503.
final class Intake: Sendable {
    let endpoints: [String: WebhookEndpoint]
    let pool: BlockingPool
    let metrics: ServeMetrics
    let logger: ETLCore.Logger
    let wake: @Sendable () -> Void
    private let databases: [String]

    init(endpoints: [String: WebhookEndpoint], pool: BlockingPool, metrics: ServeMetrics, logger: ETLCore.Logger,
         wake: @escaping @Sendable () -> Void) {
        self.endpoints = endpoints; self.pool = pool; self.metrics = metrics; self.logger = logger; self.wake = wake
        databases = Array(Set(endpoints.values.map(\.database)))
    }

    func respond(_ request: Request) async -> Response {
        var path = request.uri.path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        if request.method == .get && path == "/healthz" { return await health() }
        if request.method == .get && path == "/metrics" {
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.text())))
        }
        guard let endpoint = endpoints[path] else { return Self.json(404, ["error": "no webhook pipeline at \(path)"]) }
        let response = await receive(request, endpoint)
        metrics.request(pipeline: endpoint.spec.name, status: Int(response.status.code))
        return response
    }

    private func receive(_ request: Request, _ endpoint: WebhookEndpoint) async -> Response {
        let trigger = endpoint.trigger
        guard trigger.methods.contains(request.method.rawValue) else {
            var r = Self.json(405, ["error": "\(request.method.rawValue) not allowed on \(trigger.path)"])
            r.headers[.allow] = trigger.methods.joined(separator: ", ")
            return r
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > trigger.maxBody {
            return Self.json(413, ["error": "body of \(length) bytes is over the limit of \(trigger.maxBody)"])
        }
        // Read no more than the limit and one byte: a body past it is refused without reading it all.
        var raw: [UInt8] = []
        do {
            for try await chunk in request.body {
                if raw.count + chunk.readableBytes > trigger.maxBody {
                    return Self.json(413, ["error": "body over the limit of \(trigger.maxBody) bytes"])
                }
                raw.append(contentsOf: chunk.readableBytesView)
            }
        } catch {
            return Self.json(400, ["error": "could not read the body: \(error)"])
        }
        let header: (String) -> String? = { name in
            let lower = name.lowercased()
            let values = request.headers.filter { $0.name.canonicalName == lower }.map { $0.value }
            return values.isEmpty ? nil : values.joined(separator: ", ")
        }
        if let refusal = endpoint.verifier.refusal(body: raw, header: header) {
            // Neither the expected value nor what was sent is logged: only that it was refused.
            logger.warning("\(endpoint.spec.name): request refused (401): \(refusal)")
            return Self.json(401, ["error": refusal])
        }
        let body: Value
        do {
            var parser = JSONDocumentParser()
            body = try raw.withUnsafeBufferPointer { try parser.parse($0, source: "request body") }
        } catch let e as PayloadError {
            return Self.json(400, ["error": "invalid JSON: \(e.message)"])
        } catch {
            return Self.json(400, ["error": "invalid JSON: \(error)"])
        }
        var headers = Fields()
        let hidden = endpoint.verifier.secretHeaders.union(["authorization", "cookie"])
        for field in request.headers where !hidden.contains(field.name.canonicalName) {
            let name = field.name.canonicalName
            headers[name] = .string(headers[name].map { $0.text + ", " + field.value } ?? field.value)
        }
        let scope = endpoint.intakeScope(body: body, headers: headers, raw: raw)
        if let message = endpoint.refusal(scope) { return Self.json(400, ["error": message]) }
        let key: String
        do { key = try endpoint.idempotencyKey(raw: raw, header: header, scope: scope) } catch let WebhookEndpoint.KeyProblem.missing(m) {
            return Self.json(400, ["error": m])
        } catch { return Self.json(400, ["error": "\(error)"]) }

        switch trigger.ack {
        case .onReceipt: return await store(endpoint, key, raw, headers)
        case .onCommit: return await commit(endpoint, key, raw, headers)
        }
    }

    private func store(_ endpoint: WebhookEndpoint, _ key: String, _ raw: [UInt8], _ headers: Fields) async -> Response {
        do {
            let id = try await pool.run(database: endpoint.database) { c in
                try endpoint.store.insert(c, key: key, body: raw, headers: headers)
            }
            guard let id else { return Self.json(200, ["status": "duplicate"]) }
            wake()
            return Self.json(202, ["status": "accepted", "id": id])
        } catch {
            return unavailable(endpoint, error)
        }
    }

    private func commit(_ endpoint: WebhookEndpoint, _ key: String, _ raw: [UInt8], _ headers: Fields) async -> Response {
        do {
            let outcome = try await pool.run(database: endpoint.database) { c in
                try endpoint.processors.with { try $0.processNow(c, key: key, body: raw, headers: headers) }
            }
            switch outcome {
            case .applied(let status, let body, _), .rejected(let status, let body, _):
                return Self.raw(status, body)
            case .duplicate(let status, let body):
                if let status, let body { return Self.raw(status, body) }
                return Self.json(200, ["status": "duplicate"])
            }
        } catch let e as PostgresError where e.isConnectionFailure {
            return unavailable(endpoint, e)
        } catch {
            let message = MessageCap.cap(logger.redactor.redact("\(error)"))
            logger.error("\(endpoint.spec.name): request could not be processed, nothing was stored: \(message)")
            return Self.json(500, ["error": "the request could not be processed and was not stored; retry later"])
        }
    }

    private func unavailable(_ endpoint: WebhookEndpoint, _ error: Error) -> Response {
        logger.error("\(endpoint.spec.name): inbox unavailable, answered 503: \(logger.redactor.redact("\(error)"))")
        var r = Self.json(503, ["error": "inbox unavailable; nothing was stored, retry later"])
        r.headers[.retryAfter] = "5"
        return r
    }

    private func health() async -> Response {
        var failures: [String] = []
        for database in databases {
            do { _ = try await pool.run(database: database) { c in try c.execute("SELECT 1") } } catch {
                failures.append(logger.redactor.redact("\(error)"))
            }
        }
        if failures.isEmpty { return Self.json(200, ["status": "ok"]) }
        return Self.json(503, ["status": "unavailable", "error": failures.joined(separator: "; ")])
    }

    static func json(_ status: Int, _ fields: KeyValuePairs<String, Any>) -> Response {
        var f = Fields()
        for (k, v) in fields {
            switch v {
            case let i as Int64: f[k] = .int(i)
            case let i as Int: f[k] = .int(Int64(i))
            default: f[k] = .string("\(v)")
            }
        }
        return raw(status, JSONWriter.string(.object(f)))
    }

    static func raw(_ status: Int, _ body: String) -> Response {
        Response(status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
