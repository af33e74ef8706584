import Foundation
import XCTest
import ETLCore
import ETLConnectors

/// The `http` transform against the real loopback peer: what the peer received,
/// what was merged into the records, what was rejected and why.
final class HTTPTransformTests: XCTestCase {
    private var peer: ScriptedHTTPPeer?

    override func tearDown() {
        peer?.stop()
        peer = nil
        super.tearDown()
    }

    private func startPeer(_ routes: [String: [[String: Any]]]) throws -> ScriptedHTTPPeer {
        let p = try ScriptedHTTPPeer(routes: routes)
        peer = p
        return p
    }

    private func upsertOptions(_ peer: ScriptedHTTPPeer, extra: String = "") -> String {
        """
        method: 'if is_null(external_id) then "POST" else "PUT"'
        url: '\(peer.url)/api/contacts{{ if is_null(external_id) then "" else "/" + external_id }}'
        auth: {bearer: tok-123}
        headers: {X-Source: etl, X-Email: "{{ email }}"}
        fields: {firstName: first_name, contact.email: email}
        max_in_flight: 1
        response: {external_id: body.id, crm_status: status, request_id: 'headers["x-request-id"]'}
        \(extra)
        """
    }

    func testPostOrPutIsChosenPerRecordAndTheResponseIsMergedIn() throws {
        let peer = try startPeer([
            "/api/contacts": [["status": 201, "body": #"{"id": "C-{seq}"}"#, "headers": ["X-Request-Id": "req-abc"]]],
            "/api/contacts/X-7": [["status": 200, "body": #"{"id": "X-7", "updated": true}"#]],
        ])
        let records = TransformHarness.records("""
        [{"first_name": "Ada", "email": "ada@example.com", "external_id": null},
         {"first_name": "Bob", "email": "bob@example.com", "external_id": "X-7"},
         {"first_name": "Cy", "email": "cy@example.com"}]
        """)
        let context = TransformHarness.context()
        let out = try TransformHarness.run(TransformHarness.make("http", upsertOptions(peer)), [records], context: context)
        XCTAssertEqual(out.rejects, [])
        XCTAssertEqual(out.records.map { $0["external_id"] }, [.string("C-1"), .string("X-7"), .string("C-2")])
        XCTAssertEqual(out.records.map { $0["crm_status"] }, [.int(201), .int(200), .int(201)])
        XCTAssertEqual(out.records.map { $0["request_id"] }, [.string("req-abc"), .null, .string("req-abc")])
        XCTAssertEqual(out.records.map { $0["first_name"] }, [.string("Ada"), .string("Bob"), .string("Cy")], "the record is kept")
        XCTAssertEqual(out.records.map(\.position), [0, 1, 2])

        let sent = peer.requests()
        XCTAssertEqual(sent.map { $0["method"] as? String }, ["POST", "PUT", "POST"])
        XCTAssertEqual(sent.map { $0["path"] as? String }, ["/api/contacts", "/api/contacts/X-7", "/api/contacts"])
        XCTAssertEqual(sent.map { $0["body"] as? String }, [
            #"{"firstName":"Ada","contact":{"email":"ada@example.com"}}"#,
            #"{"firstName":"Bob","contact":{"email":"bob@example.com"}}"#,
            #"{"firstName":"Cy","contact":{"email":"cy@example.com"}}"#,
        ])
        for request in sent {
            XCTAssertEqual(HTTPStagePeer.header(request, "Authorization"), "Bearer tok-123")
            XCTAssertEqual(HTTPStagePeer.header(request, "Content-Type"), "application/json")
            XCTAssertEqual(HTTPStagePeer.header(request, "X-Source"), "etl")
            XCTAssertEqual(HTTPStagePeer.header(request, "Idempotency-Key")?.count, 64)
        }
        XCTAssertEqual(HTTPStagePeer.header(sent[1], "X-Email"), "bob@example.com")
        XCTAssertEqual(Set(sent.compactMap { HTTPStagePeer.header($0, "Idempotency-Key") }).count, 3, "one key per record")
        XCTAssertEqual(context.metrics.count("requests_sent"), 3)
        XCTAssertEqual(context.metrics.count("requests_succeeded"), 3)
        XCTAssertEqual(context.metrics.count("requests_failed"), 0)
    }

    func testAConflictRejectsThatRecordWithTheStatusAndAnExcerptAndTheOthersGoOn() throws {
        let long = String(repeating: "x", count: 400)
        let peer = try startPeer([
            "/api/contacts/dup": [["status": 409, "body": #"{"error": "email already exists", "detail": "\#(long)"}"#]],
            "/api/contacts/ok": [["status": 200, "body": #"{"id": "ok"}"#]],
        ])
        let records = TransformHarness.records(#"[{"external_id": "dup", "email": "a@x"}, {"external_id": "ok", "email": "b@x"}]"#)
        let context = TransformHarness.context()
        let out = try TransformHarness.run(TransformHarness.make("http", upsertOptions(peer)), [records], context: context)
        XCTAssertEqual(out.records.map { $0["external_id"] }, [.string("ok")])
        XCTAssertEqual(out.rejects.count, 1)
        let reason = try XCTUnwrap(out.rejects.first?.reasons.first)
        XCTAssertTrue(reason.hasPrefix("HTTP 409 from PUT \(peer.url)/api/contacts/dup (1 attempt): {\"error\": \"email already exists\""), reason)
        XCTAssertLessThan(reason.count, 320, "an excerpt, not the whole body")
        XCTAssertEqual(out.rejects.first?.stage, "http")
        XCTAssertEqual(out.rejects.first?.record["email"], .string("a@x"), "the record as it came in")
        XCTAssertEqual(peer.requests(path: "/api/contacts/dup").count, 1, "a 409 is never retried")
        XCTAssertEqual(context.metrics.count("requests_succeeded"), 1)
        XCTAssertEqual(context.metrics.count("requests_failed"), 1)
    }

    func testRateLimitedServerErrorsAndDroppedConnectionsAreRetriedUntilTheyWork() throws {
        let peer = try startPeer([
            "/r/busy": [["status": 429, "headers": ["Retry-After": "0"], "body": "slow down"], ["status": 200, "body": #"{"ok": 1}"#]],
            "/r/broken": [["status": 500, "body": "oops"], ["status": 200, "body": #"{"ok": 2}"#]],
            "/r/dropped": [["drop": true], ["status": 200, "body": #"{"ok": 3}"#]],
            "/r/down": [["status": 503, "body": "down for good"]],
        ])
        let records = TransformHarness.records(#"[{"p": "busy"}, {"p": "broken"}, {"p": "dropped"}, {"p": "down"}]"#)
        let log = LogCapture()
        let context = TransformHarness.context(log)
        let transform = try TransformHarness.make("http", """
            url: "\(peer.url)/r/{{ p }}"
            retry: {backoff: [200ms, 200ms]}
            response: {ok: body.ok}
            """)
        let out = try TransformHarness.run(transform, [records], context: context)
        XCTAssertEqual(out.records.map { $0["ok"] }, [.int(1), .int(2), .int(3)])
        XCTAssertEqual(out.rejects.map(\.reasons), [["HTTP 503 from POST \(peer.url)/r/down (3 attempts): down for good"]])
        XCTAssertEqual(peer.requests(path: "/r/busy").count, 2)
        XCTAssertEqual(peer.requests(path: "/r/broken").count, 2)
        XCTAssertEqual(peer.requests(path: "/r/dropped").count, 2)
        XCTAssertEqual(peer.requests(path: "/r/down").count, 3)
        XCTAssertEqual(context.metrics.count("requests_sent"), 9, "every attempt on the wire")
        XCTAssertEqual(context.metrics.count("requests_retried"), 5)
        XCTAssertEqual(context.metrics.count("requests_succeeded"), 3)
        XCTAssertEqual(context.metrics.count("requests_failed"), 1)
        // The retried request carries the same idempotency key.
        let keys = peer.requests(path: "/r/broken").compactMap { HTTPStagePeer.header($0, "Idempotency-Key") }
        XCTAssertEqual(keys.count, 2)
        XCTAssertEqual(keys[0], keys[1])
        XCTAssertTrue(log.lines.contains { $0.contains("/r/busy returned HTTP 429 on attempt 1 of 3") }, log.lines.joined(separator: "\n"))
    }

    func testSlowResponsesOverlapUpToMaxInFlight() throws {
        let peer = try startPeer(["/slow": [["status": 200, "body": "{}", "delay": 0.7]]])
        let records = TransformHarness.records("[" + (0..<8).map { #"{"n": \#($0)}"# }.joined(separator: ",") + "]")
        let start = Date()
        let out = try TransformHarness.run("http", "url: \(peer.url)/slow\nmax_in_flight: 8", JSONWriter.string(.array(records.map(\.value))))
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(out.records.count, 8)
        XCTAssertLessThan(elapsed, 2.5, "8 × 0.7 s one after the other would take 5.6 s")
        let at = HTTPStagePeer.receivedAt(peer.requests())
        XCTAssertEqual(at.count, 8)
        XCTAssertLessThan(at[7] - at[0], 0.5, "all eight were in flight together")
    }

    func testBatchesAreJSONArraysAndTheResponseMapsBackInOrder() throws {
        let peer = try startPeer(["/bulk": [["status": 200, "echo": true]], "/short": [["status": 200, "body": #"[{"id": 1}]"#]]])
        let records = TransformHarness.records("[" + (0..<5).map { #"{"email": "u\#($0)@x", "n": \#($0)}"# }.joined(separator: ",") + "]")
        let transform = try TransformHarness.make("http", """
            url: \(peer.url)/bulk
            batch_size: 2
            max_in_flight: 3
            response: {seen: body.email, status: status}
            """)
        let out = try TransformHarness.run(transform, [records])
        XCTAssertEqual(out.rejects, [])
        XCTAssertEqual(out.records.map { $0["seen"] }, (0..<5).map { .string("u\($0)@x") })
        XCTAssertEqual(out.records.map { $0["n"] }, (0..<5).map { .int(Int64($0)) })
        let bodies = peer.bodies(path: "/bulk").sorted()
        XCTAssertEqual(bodies, [
            #"[{"email":"u0@x","n":0},{"email":"u1@x","n":1}]"#,
            #"[{"email":"u2@x","n":2},{"email":"u3@x","n":3}]"#,
            #"[{"email":"u4@x","n":4}]"#,
        ])

        // An answer that does not match the records sent rejects them all, saying why.
        let short = try TransformHarness.make("http", "url: \(peer.url)/short\nbatch_size: 2\nresponse: {id: body.id}")
        let mismatch = try TransformHarness.run(short, [Array(records.prefix(2))])
        XCTAssertEqual(mismatch.records, [])
        XCTAssertEqual(mismatch.rejects.count, 2)
        XCTAssertTrue(mismatch.rejects[0].reasons[0].contains("not a JSON array of 2 items"), mismatch.rejects[0].reasons[0])
    }

    func testARecordWhoseTemplatesDoNotRenderIsRejectedAlone() throws {
        let peer = try startPeer(["/items/1": [["status": 200]], "/items/3": [["status": 200]]])
        let out = try TransformHarness.run("http", """
            url: "\(peer.url)/items/{{ id }}"
            method: 'if deleted then "DELETE" else "PATCH"'
            """, #"[{"id": 1, "deleted": false}, {"name": "no id", "deleted": false}, {"id": 3, "deleted": true}]"#)
        XCTAssertEqual(out.records.map { $0["id"] }, [.int(1), .int(3)])
        XCTAssertEqual(out.rejects.map(\.reasons), [["request not sent: url: {{ id }} is null"]])
        XCTAssertEqual(peer.requests().map { $0["method"] as? String }, ["PATCH", "DELETE"])
    }

    func testCancellationAbortsRequestsInFlightAndSendsNoNewOnes() throws {
        let peer = try startPeer(["/hang": [["status": 200, "delay": 30]]])
        let records = TransformHarness.records("[" + (0..<10).map { #"{"n": \#($0)}"# }.joined(separator: ",") + "]")
        let transform = try TransformHarness.make("http", "url: \(peer.url)/hang\nmax_in_flight: 3")
        let context = TransformHarness.context()
        HTTPStagePeer.cancel(context, after: 0.5)
        let start = Date()
        XCTAssertThrowsError(try transform.process(Batch(records), context)) { error in
            XCTAssertTrue("\(error)".contains("run cancelled: SIGTERM"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 3)
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertEqual(peer.requests().count, 3, "only the three in flight were ever sent")
        XCTAssertEqual(context.metrics.count("requests_failed"), 0, "a cancelled run rejects nothing")
    }

    func testOptionMistakesAreRefusedWithTheOptionNamed() {
        func error(_ yaml: String) -> String {
            do { _ = try TransformHarness.make("http", yaml); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(error("url: http://x/{{ id }\n").contains("url: '{{' is not closed"), error("url: http://x/{{ id }\n"))
        XCTAssertTrue(error("url: http://x\nrate_limit: fast").contains("rate_limit 'fast' is not a rate"))
        XCTAssertTrue(error("url: http://x\nsuccess_status: [2xx, abc]").contains("success_status 'abc' is not a status"))
        XCTAssertTrue(error("url: http://x\nbody: '{}'\nfields: {a: b}").contains("not both"))
        XCTAssertTrue(error("url: http://x\nauth: {bearer: a, header: {name: X-Key, value: b}}").contains("one of bearer, basic or header"))
        XCTAssertTrue(error("url: http://x\nmax_in_flight: 0").contains("max_in_flight must be between 1 and 1024"))
        XCTAssertTrue(error("url: http://x\nmethod: 'if a then'").contains("options.yaml:2:19: error: in expression 'if a then'"))
        XCTAssertTrue(error("url: http://x\nbatch_size: 0").contains("batch_size must be at least 1"))
    }

    func testDryRunSendsNothingAndPassesRecordsOn() throws {
        let peer = try startPeer(["/x": [["status": 200]]])
        let transform = try TransformHarness.make("http", "url: \(peer.url)/x\nresponse: {id: body.id}")
        let context = RunContext(runID: "dry", pipeline: "test", logger: Logger(write: { _ in }), dryRun: true)
        let out = try TransformHarness.run(transform, [TransformHarness.records(#"[{"a": 1}, {"a": 2}]"#)], context: context)
        XCTAssertEqual(out.records.map { $0["a"] }, [.int(1), .int(2)])
        XCTAssertEqual(peer.requests().count, 0)
    }
}
