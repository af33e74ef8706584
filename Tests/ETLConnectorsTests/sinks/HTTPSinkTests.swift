import Foundation
import XCTest
import ETLCore
import ETLConnectors

/// The `http` sink against the real loopback peer: credentials, signatures,
/// idempotency keys that survive a replay, the rate limit, honest counts.
final class HTTPSinkTests: XCTestCase {
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

    /// Opens, writes `batches`, prepares and commits, as the runner does; rejects are collected.
    private func deliver(_ sink: Sink, _ batches: [[Record]], context: RunContext = SourceHarness.context())
        throws -> (report: SinkReport, rejects: [Rejection], context: RunContext) {
        var rejects: [Rejection] = []
        context.rejectHandler = { rejects.append($0) }
        try sink.open(context)
        for batch in batches { try sink.write(Batch(batch), context) }
        let report = try sink.prepare(context)
        try sink.commit(context)
        return (report, rejects, context)
    }

    private func records(_ json: String) -> [Record] { TransformHarness.records(json) }

    func testBodyIsSignedWithAnHMACTheReceiverCanCheck() throws {
        let peer = try startPeer(["/hook": [["status": 204]]])
        let sink = try SourceHarness.sink("http", """
            url: \(peer.url)/hook
            sign: {secret: hook-s3cret, header: X-Hub-Signature-256, prefix: "sha256="}
            auth: {basic: {username: etl, password: pa55}}
            """)
        _ = try deliver(sink, [records(#"[{"event": "stock", "sku": "A-1", "qty": 3}, {"event": "stock", "sku": "é", "qty": 0}]"#)])
        let sent = peer.requests()
        XCTAssertEqual(sent.count, 2)
        for request in sent {
            let body = try XCTUnwrap(request["body"] as? String)
            let expected = try HTTPStagePeer.pythonHMAC("sha256", key: "hook-s3cret", body: body)
            XCTAssertEqual(HTTPStagePeer.header(request, "X-Hub-Signature-256"), "sha256=" + expected)
            XCTAssertEqual(HTTPStagePeer.header(request, "Authorization"), "Basic " + Data("etl:pa55".utf8).base64EncodedString())
        }
        XCTAssertEqual(sent[0]["body"] as? String, #"{"event":"stock","sku":"A-1","qty":3}"#)

        let base64Sink = try SourceHarness.sink("http", """
            url: \(peer.url)/hook
            sign: {secret: k, algorithm: sha512, encoding: base64}
            auth: {header: {name: X-API-Key, value: key-42}}
            """)
        _ = try deliver(base64Sink, [records(#"[{"a": 1}]"#)])
        let last = try XCTUnwrap(peer.requests().last)
        XCTAssertEqual(HTTPStagePeer.header(last, "X-Signature"), try HTTPStagePeer.pythonHMAC("sha512", key: "k", body: #"{"a":1}"#, base64: true))
        XCTAssertEqual(HTTPStagePeer.header(last, "X-API-Key"), "key-42")
    }

    func testAReplayedRunSendsTheSameIdempotencyKeys() throws {
        let peer = try startPeer(["/events": [["status": 202]]])
        let options = "url: \(peer.url)/events\nmax_in_flight: 4"
        let input = records(#"[{"id": 1, "v": "a"}, {"id": 2, "v": "b"}, {"id": 3, "v": "c"}]"#)
        _ = try deliver(try SourceHarness.sink("http", options), [input])
        // Another run (another sink, run id and start time) after a crash sends the same records again.
        let replay = RunContext(runID: "replay-run", pipeline: "test", logger: Logger(write: { _ in }))
        _ = try deliver(try SourceHarness.sink("http", options), [input], context: replay)
        let keyed = peer.requests().map { (body: $0["body"] as? String ?? "", key: HTTPStagePeer.header($0, "Idempotency-Key") ?? "") }
        XCTAssertEqual(keyed.count, 6)
        let firstRun = Dictionary(uniqueKeysWithValues: keyed.prefix(3).map { ($0.body, $0.key) })
        let secondRun = Dictionary(uniqueKeysWithValues: keyed.suffix(3).map { ($0.body, $0.key) })
        XCTAssertEqual(firstRun, secondRun)
        XCTAssertEqual(Set(firstRun.values).count, 3)

        // A changed record gets a new key; another pipeline never shares keys with this one.
        _ = try deliver(try SourceHarness.sink("http", options), [records(#"[{"id": 1, "v": "changed"}]"#)])
        _ = try deliver(try SourceHarness.sink("http", options, pipeline: "other"), [records(#"[{"id": 1, "v": "a"}]"#)])
        let later = peer.requests().suffix(2).compactMap { HTTPStagePeer.header($0, "Idempotency-Key") }
        XCTAssertFalse(firstRun.values.contains(later[0]))
        XCTAssertFalse(firstRun.values.contains(later[1]))
    }

    func testIdempotencyKeyFromATemplateInAHeaderOfOurChoice() throws {
        let peer = try startPeer(["/events": [["status": 200]]])
        let sink = try SourceHarness.sink("http", """
            url: \(peer.url)/events
            idempotency_key: "order-{{ id }}-v{{ version }}"
            idempotency_header: X-Request-Key
            """)
        _ = try deliver(sink, [records(#"[{"id": 7, "version": 2}]"#)])
        let sent = try XCTUnwrap(peer.requests().first)
        XCTAssertEqual(HTTPStagePeer.header(sent, "X-Request-Key"), "order-7-v2")
        XCTAssertNil(HTTPStagePeer.header(sent, "Idempotency-Key"))

        let none = try SourceHarness.sink("http", "url: \(peer.url)/events\nidempotency_header: \"\"")
        _ = try deliver(none, [records(#"[{"id": 8}]"#)])
        XCTAssertNil(HTTPStagePeer.header(try XCTUnwrap(peer.requests().last), "Idempotency-Key"))
    }

    func testRateLimitIsRespected() throws {
        let peer = try startPeer(["/paced": [["status": 200]]])
        let sink = try SourceHarness.sink("http", "url: \(peer.url)/paced\nrate_limit: 600/min\nmax_in_flight: 16")
        let start = Date()
        let result = try deliver(sink, [records("[" + (0..<15).map { #"{"n": \#($0)}"# }.joined(separator: ",") + "]")])
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(result.report.written, 15)
        // 600/min = 10/s: 15 requests take about 1.4 s; generous bounds for a busy machine.
        XCTAssertGreaterThanOrEqual(elapsed, 1.2)
        XCTAssertLessThan(elapsed, 5)
        let at = HTTPStagePeer.receivedAt(peer.requests())
        XCTAssertEqual(at.count, 15)
        for i in 0..<(at.count - 10) {
            XCTAssertGreaterThan(at[i + 10] - at[i], 0.85, "no eleven requests within 0.85 s")
        }
    }

    func testCountsTellTheTruth() throws {
        let peer = try startPeer([
            "/c/1": [["status": 201]], "/c/2": [["status": 422, "body": #"{"error": "email is invalid"}"#]],
            "/c/3": [["status": 200]], "/c/4": [["status": 409, "body": "exists"]],
        ])
        let sink = try SourceHarness.sink("http", "url: \(peer.url)/c/{{ n }}\nsuccess_status: [2xx, 409]")
        let result = try deliver(sink, [records(#"[{"n": 1}, {"n": 2}]"#), records(#"[{"n": 3}, {"n": 4}]"#)])
        XCTAssertEqual(result.report.written, 3, "201, 200 and the 409 that success_status accepts")
        XCTAssertEqual(result.report.inserted, 0, "an API call is not an insert")
        XCTAssertEqual(result.report.changed, 0)
        XCTAssertEqual(result.rejects.map(\.reasons), [["HTTP 422 from POST \(peer.url)/c/2 (1 attempt): {\"error\": \"email is invalid\"}"]])
        XCTAssertEqual(result.context.metrics.count("requests_sent"), 4)
        XCTAssertEqual(result.context.metrics.count("requests_succeeded"), 3)
        XCTAssertEqual(result.context.metrics.count("requests_failed"), 1)
    }

    func testBatchesCarryConsecutiveRecordsForTheSameTarget() throws {
        let peer = try startPeer(["/t/a": [["status": 200]], "/t/b": [["status": 200]]])
        let sink = try SourceHarness.sink("http", "url: \(peer.url)/t/{{ t }}\nbatch_size: 3\nmax_in_flight: 1\nkey: [n]")
        let result = try deliver(sink, [records(#"[{"t": "a", "n": 1}, {"t": "a", "n": 2}, {"t": "b", "n": 3}, {"t": "a", "n": 4}, {"t": "a", "n": 5}, {"t": "a", "n": 6}, {"t": "a", "n": 7}]"#)])
        XCTAssertEqual(result.report.written, 7)
        XCTAssertEqual(peer.requests().map { "\($0["path"]!) \($0["body"]!)" }, [
            #"/t/a [{"t":"a","n":1},{"t":"a","n":2}]"#,
            #"/t/b [{"t":"b","n":3}]"#,
            #"/t/a [{"t":"a","n":4},{"t":"a","n":5},{"t":"a","n":6}]"#,
            #"/t/a [{"t":"a","n":7}]"#,
        ])
    }

    func testABodyTemplateIsSentAsRenderedWithItsContentType() throws {
        let peer = try startPeer(["/form": [["status": 200]]])
        let sink = try SourceHarness.sink("http", """
            url: \(peer.url)/form
            method: PUT
            body: 'email={{ email }}&plan={{ upper(plan) }}'
            content_type: application/x-www-form-urlencoded
            """)
        let result = try deliver(sink, [records(#"[{"email": "ada@x", "plan": "pro"}, {"email": "bob@x"}]"#)])
        XCTAssertEqual(result.report.written, 1)
        XCTAssertEqual(result.rejects.map(\.reasons), [["request not sent: body: {{ upper(plan) }} is null"]])
        let sent = try XCTUnwrap(peer.requests().first)
        XCTAssertEqual(sent["method"] as? String, "PUT")
        XCTAssertEqual(sent["body"] as? String, "email=ada@x&plan=PRO")
        XCTAssertEqual(HTTPStagePeer.header(sent, "Content-Type"), "application/x-www-form-urlencoded")
    }

    func testDryRunSendsNothing() throws {
        let peer = try startPeer(["/x": [["status": 200]]])
        let sink = try SourceHarness.sink("http", "url: \(peer.url)/x")
        let context = RunContext(runID: "dry", pipeline: "test", logger: Logger(write: { _ in }), dryRun: true)
        let result = try deliver(sink, [records(#"[{"a": 1}]"#)], context: context)
        XCTAssertEqual(result.report.written, 0)
        XCTAssertEqual(peer.requests().count, 0)
    }

    func testEveryOptionIsDocumentedWithAnExample() {
        for kind in [ConnectorKind.transform, .sink] {
            let spec = try! XCTUnwrap(SourceHarness.registry.lookup(kind, "http")).spec
            func check(_ options: [OptionSpec], _ prefix: String) {
                for option in options {
                    XCTAssertNotNil(option.example, "\(kind) http option \(prefix)\(option.name) has no example")
                    XCTAssertFalse(option.doc.isEmpty)
                    if case .object(let nested) = option.type { check(nested, prefix + option.name + ".") }
                }
            }
            check(spec.options, "")
        }
    }
}
