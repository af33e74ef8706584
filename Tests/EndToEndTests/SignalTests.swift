import Foundation
import XCTest

/// SIGTERM / SIGINT while the source is fetching: the transfer in progress is
/// aborted, no further attempt is made, and the run ends within seconds with
/// the target unchanged, the ledger `failed` and the lock released. A second
/// signal ends the process at once.
final class SignalTests: XCTestCase {
    var harness: InventoryHarness!

    override func tearDown() { harness?.stop() }

    /// Waits until the ledger says `running` and the ERP has seen `requests` requests.
    private func waitForFetch(requests: Int = 1) {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if (try? harness.db.scalar("SELECT count(*) FROM sync_jobs WHERE status = 'running'")) == "1",
               harness.erp.requests(path: "/inventory").count >= requests { return }
            usleep(50_000)
        }
        XCTFail("the run never started fetching")
    }

    private func assertFailedCleanly(_ r: CommandResult, signal name: String) throws {
        XCTAssertEqual(r.exitCode, 1, r.output)
        let job = try harness.lastJob()
        XCTAssertEqual(job["status"], "failed")
        XCTAssertTrue(job["error_message"]?.contains(name) == true, job["error_message"] ?? "")
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM inventory"), "0", "target unchanged")
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"), "0", "lock released")
    }

    func testSigtermDuringAStalledDownloadAbortsItWithoutRetrying() throws {
        // The ERP answers after 60 s; the request may take 30 s and would be retried 3 times.
        harness = try InventoryHarness(products: 5, erpResponses: [["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...5)), "delay": 60]])
        let running = try harness.start(["--set", "source.timeout=30s", "--set", "source.retry.backoff=[1s, 1s, 1s]"])
        waitForFetch()
        let signalled = Date()
        running.signal(SIGTERM)
        let r = try running.wait(timeout: 60)
        let took = Date().timeIntervalSince(signalled)
        XCTAssertLessThan(took, 8, "exited \(took) s after SIGTERM")
        try assertFailedCleanly(r, signal: "SIGTERM")
        XCTAssertEqual(harness.erp.requests(path: "/inventory").count, 1, "no further attempt after SIGTERM")
    }

    func testSigtermDuringARetryBackoffSendsNoFurtherRequest() throws {
        harness = try InventoryHarness(products: 5, erpResponses: [["status": 503, "body": "maintenance"]])
        let running = try harness.start(["--set", "source.retry.backoff=[30s, 30s]"])
        waitForFetch()
        usleep(300_000)   // in the 30 s wait now
        let signalled = Date()
        running.signal(SIGTERM)
        let r = try running.wait(timeout: 60)
        XCTAssertLessThan(Date().timeIntervalSince(signalled), 8)
        try assertFailedCleanly(r, signal: "SIGTERM")
        XCTAssertEqual(harness.erp.requests(path: "/inventory").count, 1, "the cut-short wait is not followed by another request")
    }

    func testSecondSigintExitsAtOnceEvenWhileCleanupHangs() throws {
        // The failure alert goes to a Slack that does not answer for 60 s: the graceful path hangs there.
        harness = try InventoryHarness(products: 5, erpResponses: [["status": 200, "body": "[]", "delay": 60]])
        harness.slack.stop()
        let slack = try HTTPPeer(routes: [InventoryHarness.slackPath: [["status": 200, "body": "ok", "delay": 60]]])
        defer { slack.stop() }
        harness.extraEnvironment["SLACK_WEBHOOK_URL"] = slack.url + InventoryHarness.slackPath
        let running = try harness.start(["--set", "source.retry.backoff=[]", "--set", "notify.0.timeout=60s"])
        waitForFetch()
        running.signal(SIGINT)
        let deadline = Date().addingTimeInterval(20)
        while slack.requests(path: InventoryHarness.slackPath).isEmpty && Date() < deadline { usleep(50_000) }
        XCTAssertFalse(slack.requests(path: InventoryHarness.slackPath).isEmpty, "the failure alert was being sent")
        let second = Date()
        running.signal(SIGINT)
        let r = try running.wait(timeout: 60)
        XCTAssertLessThan(Date().timeIntervalSince(second), 5)
        XCTAssertEqual(r.exitCode, 128 + SIGINT, r.output)
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM inventory"), "0", "target unchanged")
    }
}
