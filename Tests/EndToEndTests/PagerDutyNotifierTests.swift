import Foundation
import XCTest

/// The `pagerduty` notifier on a run's outcome, against a loopback Events API: a failed run
/// triggers with the run's summary, a completed run resolves the same dedup_key, 5xx is
/// retried, and a PagerDuty that stays down never changes the run's exit code.
final class PagerDutyNotifierTests: XCTestCase {
    var dir: String!
    var peer: HTTPPeer?

    override func setUpWithError() throws {
        dir = TestEnvironment.temporaryDirectory()
        try """
        name: nightly-export
        source: {type: file, path: in.json}
        sink: {type: file, path: out.ndjson, format: ndjson}
        notify:
          - type: pagerduty
            routing_key: ${PAGERDUTY_ROUTING_KEY}
            url: ${PAGERDUTY_URL}
            severity: critical
            when: status == "failed"
          - type: pagerduty
            routing_key: ${PAGERDUTY_ROUTING_KEY}
            url: ${PAGERDUTY_URL}
            event_action: resolve
            when: status == "completed"
        """.write(toFile: dir + "/export.yaml", atomically: true, encoding: .utf8)
    }

    override func tearDown() { peer?.stop() }

    func run(_ input: String, answers: [[String: Any]]) throws -> (CommandResult, [[String: Any]]) {
        peer?.stop()
        let p = try HTTPPeer(routes: ["/v2/enqueue": answers])
        peer = p
        try input.write(toFile: dir + "/in.json", atomically: true, encoding: .utf8)
        let r = try Command.run(TestEnvironment.etlBinary, ["run", dir + "/export.yaml"],
                                environment: ["PAGERDUTY_ROUTING_KEY": "pd-rk-8080", "PAGERDUTY_URL": p.url + "/v2/enqueue"], timeout: 60)
        let events = p.bodies(path: "/v2/enqueue").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        return (r, events)
    }

    func testAFailedRunTriggersAndACompletedRunResolvesTheSameIncident() throws {
        let (failed, triggers) = try run("{not json", answers: [["status": 503], ["status": 202, "body": "{}"]])
        XCTAssertEqual(failed.exitCode, 1, failed.output)
        // 503 then 202: the same event twice, the retry delivered it.
        XCTAssertEqual(triggers.count, 2)
        let event = try XCTUnwrap(triggers.last)
        XCTAssertEqual(event["routing_key"] as? String, "pd-rk-8080")
        XCTAssertEqual(event["event_action"] as? String, "trigger")
        XCTAssertEqual(event["dedup_key"] as? String, "etl/nightly-export")
        let payload = event["payload"] as? [String: Any] ?? [:]
        XCTAssertEqual(payload["severity"] as? String, "critical")
        XCTAssertEqual(payload["source"] as? String, "nightly-export")
        XCTAssertTrue((payload["summary"] as? String ?? "").hasPrefix("nightly-export FAILED: "), "\(payload)")
        XCTAssertEqual((payload["custom_details"] as? [String: Any])?["status"] as? String, "failed")
        XCTAssertFalse(failed.output.contains("pd-rk-8080"))

        let (ok, resolves) = try run("[{\"id\": 1}]", answers: [["status": 202, "body": "{}"]])
        XCTAssertEqual(ok.exitCode, 0, ok.output)
        XCTAssertEqual(resolves.count, 1)
        XCTAssertEqual(resolves.first?["event_action"] as? String, "resolve")
        XCTAssertEqual(resolves.first?["dedup_key"] as? String, "etl/nightly-export")
        XCTAssertNil(resolves.first?["payload"])
    }

    func testPagerDutyDownNeverChangesTheRunsOutcome() throws {
        let (ok, events) = try run("[{\"id\": 1}]", answers: [["status": 500]])
        XCTAssertEqual(ok.exitCode, 0, ok.output)
        XCTAssertEqual(events.count, 3)           // the post and its two retries
        XCTAssertTrue(ok.output.contains("notifier notify[1] failed"), ok.output)
    }
}
