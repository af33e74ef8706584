import Foundation
import XCTest

/// The `http` transform and sink through the built binary with YAML pipelines
/// and a real loopback API: records enriched with the ids the API assigned, a
/// conflict rejected with its reason (and the echoed token masked), the run
/// failing past `rejects.max`, a replay sending the same idempotency keys, and
/// SIGTERM aborting requests in flight.
final class HTTPStageTests: XCTestCase {
    var directory = ""
    var peer: HTTPPeer?

    override func setUp() { directory = TestEnvironment.temporaryDirectory() }
    override func tearDown() {
        peer?.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private let token = "tok-SECRET-4242"

    private func write(_ name: String, _ text: String) throws {
        try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
    }

    private func etl(_ args: [String] = [], env: [String: String] = [:]) throws -> CommandResult {
        try Command.run(TestEnvironment.etlBinary, ["run", directory + "/pipeline.yaml"] + args,
                        environment: ["CRM_URL": peer?.url ?? "", "CRM_TOKEN": token].merging(env) { $1 }, timeout: 90)
    }

    private func lines(_ name: String) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
        return try text.split(separator: "\n").map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    private func crmPipeline(rejectsMax: String) -> String {
        """
        name: crm-push
        source: {type: file, path: contacts.json}
        transforms:
          - type: http
            method: 'if is_null(external_id) then "POST" else "PUT"'
            url: '${CRM_URL}/api/contacts{{ if is_null(external_id) then "" else "/" + external_id }}'
            auth:
              bearer: ${CRM_TOKEN}
            fields: {firstName: first_name, email: email}
            retry: {backoff: [100ms]}
            response: {external_id: body.id, crm_status: status}
        sink: {type: file, path: out.ndjson}
        rejects:
          max: \(rejectsMax)
          sink: {type: file, path: rejects.ndjson}
        """
    }

    private let contacts = """
    [{"first_name": "Ada", "email": "ada@x", "external_id": null},
     {"first_name": "Bob", "email": "bob@x", "external_id": "X-1"},
     {"first_name": "Dup", "email": "dup@x", "external_id": "X-dup"},
     {"first_name": "Cy", "email": "cy@x"}]
    """

    private func startCRM() throws -> HTTPPeer {
        let p = try HTTPPeer(routes: [
            "/api/contacts": [["status": 201, "body": #"{"id": "C-{seq}"}"#]],
            "/api/contacts/X-1": [["status": 500, "body": "hiccup"], ["status": 200, "body": #"{"id": "X-1"}"#]],
            // The API echoes the credential it was sent: the log must not.
            "/api/contacts/X-dup": [["status": 409, "body": #"{"error": "email already used", "token": "\#(token)"}"#]],
        ])
        peer = p
        return p
    }

    func testRecordsAreEnrichedWithTheAPIsIdsAndAConflictIsRejectedWithItsReason() throws {
        let crm = try startCRM()
        try write("contacts.json", contacts)
        try write("pipeline.yaml", crmPipeline(rejectsMax: "1"))
        let r = try etl()
        XCTAssertEqual(r.exitCode, 0, r.output)

        let out = try lines("out.ndjson")
        XCTAssertEqual(out.map { $0["first_name"] as? String }, ["Ada", "Bob", "Cy"])
        XCTAssertEqual(Set(out.compactMap { $0["external_id"] as? String }), ["C-1", "X-1", "C-2"])
        XCTAssertEqual(out.map { $0["crm_status"] as? Int }, [201, 200, 201])

        let rejects = try lines("rejects.ndjson")
        XCTAssertEqual(rejects.count, 1)
        XCTAssertEqual(rejects[0]["first_name"] as? String, "Dup")
        XCTAssertEqual(rejects[0]["_stage"] as? String, "http")
        let reason = (rejects[0]["_reasons"] as? [String])?.first ?? ""
        XCTAssertTrue(reason.hasPrefix("HTTP 409 from PUT \(crm.url)/api/contacts/X-dup (1 attempt): {\"error\": \"email already used\""), reason)
        XCTAssertTrue(reason.hasSuffix(#""token": "***"}"#), "the echoed token is masked in the rejects file too: \(reason)")

        XCTAssertTrue(r.stderr.contains("rejected by http: HTTP 409 from PUT"), r.stderr)
        XCTAssertFalse(r.output.contains(token), "the echoed token is masked in the output")
        for metric in ["requests_sent=5", "requests_succeeded=3", "requests_failed=1", "records_rejected=1"] {
            XCTAssertTrue(r.stderr.contains(metric), "\(metric) in \(r.stderr)")
        }

        let sent = crm.requests()
        XCTAssertEqual(sent.filter { $0["method"] as? String == "POST" }.count, 2)
        XCTAssertEqual(sent.filter { $0["method"] as? String == "PUT" }.count, 3, "X-1 twice (500, then 200), X-dup once")
        for request in sent {
            let headers = request["headers"] as? [String: String] ?? [:]
            XCTAssertEqual(headers["Authorization"], "Bearer \(token)")
            XCTAssertEqual(headers["Idempotency-Key"]?.count, 64)
        }
        XCTAssertEqual(crm.bodies(path: "/api/contacts/X-1").first, #"{"firstName":"Bob","email":"bob@x"}"#)
    }

    func testTheRunFailsPastRejectsMax() throws {
        _ = try startCRM()
        try write("contacts.json", contacts)
        try write("pipeline.yaml", crmPipeline(rejectsMax: "0"))
        let r = try etl()
        XCTAssertEqual(r.exitCode, 4, r.output)
        XCTAssertTrue(r.output.contains("1 records rejected, more than rejects.max 0"), r.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/out.ndjson"), "the file sink rolled back")
    }

    func testAReplayedRunSendsTheSameIdempotencyKeysAndTheSinkCountsDeliveries() throws {
        let hook = try HTTPPeer(routes: ["/events": [["status": 202]], "/events/bad": [["status": 400, "body": "bad event"]]])
        peer = hook
        try write("events.json", "[" + (1...20).map { #"{"id": \#($0), "kind": "\#($0 == 7 ? "bad" : "ok")"}"# }.joined(separator: ",") + "]")
        try write("pipeline.yaml", """
            name: events-out
            source: {type: file, path: events.json}
            sink:
              type: http
              url: '${CRM_URL}/events{{ if kind == "bad" then "/bad" else "" }}'
              max_in_flight: 4
              key: [id]
              sign: {secret: "${CRM_TOKEN}", header: X-Signature}
            rejects: {max: 5}
            """)
        let first = try etl()
        XCTAssertEqual(first.exitCode, 0, first.output)
        XCTAssertTrue(first.stderr.contains("records_written=19"), first.stderr)
        XCTAssertTrue(first.stderr.contains("requests_sent=20 requests_succeeded=19 requests_failed=1"), first.stderr)
        XCTAssertFalse(first.output.contains(token))
        let second = try etl()
        XCTAssertEqual(second.exitCode, 0, second.output)

        let sent = hook.requests()
        XCTAssertEqual(sent.count, 40)
        func keys(_ requests: ArraySlice<[String: Any]>) -> [String: String] {
            Dictionary(uniqueKeysWithValues: requests.map { ($0["body"] as? String ?? "", ($0["headers"] as? [String: String])?["Idempotency-Key"] ?? "") })
        }
        let run1 = keys(sent.prefix(20)), run2 = keys(sent.suffix(20))
        XCTAssertEqual(run1.count, 20)
        XCTAssertEqual(run1, run2, "the same record, the same key, run after run")
        XCTAssertEqual(Set(run1.values).count, 20)
    }

    func testTheRunsTimeoutAbortsRequestsInFlight() throws {
        let slow = try HTTPPeer(routes: ["/slow": [["status": 200, "delay": 60]]])
        peer = slow
        try write("events.json", "[" + (1...20).map { #"{"id": \#($0)}"# }.joined(separator: ",") + "]")
        try write("pipeline.yaml", """
            name: slow-timeout
            timeout: 2s
            source: {type: file, path: events.json}
            sink: {type: http, url: '${CRM_URL}/slow', max_in_flight: 4, timeout: 5m}
            """)
        let start = Date()
        let r = try etl()
        XCTAssertLessThan(Date().timeIntervalSince(start), 10, "the 5 min request timeout is cut by the run's 2 s")
        XCTAssertEqual(r.exitCode, 1, r.output)
        XCTAssertTrue(r.output.contains("timed out"), r.output)
        usleep(300_000)
        XCTAssertEqual(slow.requests().count, 4, "only the four in flight were ever sent")
    }

    func testSigtermAbortsRequestsInFlightAndSendsNoNewOnes() throws {
        let slow = try HTTPPeer(routes: ["/slow": [["status": 200, "delay": 60]]])
        peer = slow
        try write("events.json", "[" + (1...50).map { #"{"id": \#($0)}"# }.joined(separator: ",") + "]")
        try write("pipeline.yaml", """
            name: slow-out
            source: {type: file, path: events.json}
            sink: {type: http, url: '${CRM_URL}/slow', max_in_flight: 3}
            """)
        let running = try Command.start(TestEnvironment.etlBinary, ["run", directory + "/pipeline.yaml"], environment: ["CRM_URL": slow.url])
        let deadline = Date().addingTimeInterval(30)
        while slow.requests().count < 3 && Date() < deadline { usleep(50_000) }
        XCTAssertEqual(slow.requests().count, 3)
        let signalled = Date()
        running.signal(SIGTERM)
        let r = try running.wait(timeout: 60)
        XCTAssertLessThan(Date().timeIntervalSince(signalled), 8)
        XCTAssertEqual(r.exitCode, 1, r.output)
        XCTAssertTrue(r.output.contains("SIGTERM"), r.output)
        usleep(300_000)
        XCTAssertEqual(slow.requests().count, 3, "nothing sent after SIGTERM")
    }
}
