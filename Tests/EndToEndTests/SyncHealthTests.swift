import Foundation
import XCTest

/// `etl status` and pipelines/sync-monitor.yaml over pipelines whose ledgers, inbox and
/// conflicts are written straight into a real PostgreSQL: exit codes for a healthy, a
/// lagging and a failing pipeline; the monitor's stored reports, Slack and PagerDuty.
final class SyncHealthTests: XCTestCase {
    var db: TestDatabase!
    var dir: String!
    var peers: [HTTPPeer] = []

    override func setUpWithError() throws {
        db = try TestDatabase()
        dir = TestEnvironment.temporaryDirectory()
        // The ledger as RunLedger creates it, shared by the three pipelines (told apart by `pipeline`).
        try db.query("""
            CREATE TABLE test_jobs (id SERIAL PRIMARY KEY, started_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
              completed_at TIMESTAMP, status TEXT NOT NULL, error_message TEXT, pipeline TEXT, run_id TEXT, duration_ms BIGINT,
              rejected BIGINT);
            """)
    }

    override func tearDown() {
        peers.forEach { $0.stop() }
        db?.drop()
    }

    /// A pipeline file that runs every 15 minutes with a 30-minute timeout: degraded past 45 min, unhealthy past 3 h.
    func pipeline(_ name: String, health: String = "") throws -> String {
        let path = dir + "/\(name).yaml"
        try """
        name: \(name)
        schedule: "*/15 * * * *"
        timeout: 30m
        database: ${DATABASE_URL}
        ledger: {table: test_jobs, columns: {rejected: records_rejected}}
        \(health)
        source: {type: file, path: none.json}
        sink: {type: stdout}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A ledger row `minutesAgo` minutes old, in the ledger's UTC wall-clock time.
    func ledgerRow(_ name: String, _ status: String, minutesAgo: Int, error: String? = nil, rejected: Int = 0) throws {
        try db.query("""
            INSERT INTO test_jobs (pipeline, status, started_at, completed_at, error_message, rejected)
            VALUES ('\(name)', '\(status)', (now() AT TIME ZONE 'UTC') - interval '\(minutesAgo) minutes',
                    \(status == "running" ? "NULL" : "(now() AT TIME ZONE 'UTC') - interval '\(minutesAgo) minutes' + interval '10 seconds'"),
                    \(error.map { "'\($0)'" } ?? "NULL"), \(rejected))
            """)
    }

    func status(_ paths: [String], _ format: String = "table") throws -> CommandResult {
        try Command.run(TestEnvironment.etlBinary, ["status"] + paths + ["--format", format],
                        environment: ["DATABASE_URL": db.url], timeout: 60)
    }

    func testStatusExitCodesForHealthyLaggingAndFailingPipelines() throws {
        let healthy = try pipeline("healthy")
        try ledgerRow("healthy", "completed", minutesAgo: 20)
        try ledgerRow("healthy", "completed", minutesAgo: 5, rejected: 2)
        let lagging = try pipeline("lagging")
        try ledgerRow("lagging", "completed", minutesAgo: 90)
        let failing = try pipeline("failing")
        try ledgerRow("failing", "completed", minutesAgo: 40)
        try ledgerRow("failing", "failed", minutesAgo: 25, error: "ERP answered HTTP 503")
        try ledgerRow("failing", "failed", minutesAgo: 10, error: "ERP answered HTTP 503")

        let ok = try status([healthy])
        XCTAssertEqual(ok.exitCode, 0, ok.output)
        XCTAssertTrue(ok.stdout.contains("healthy"), ok.output)
        XCTAssertTrue(ok.stdout.contains("status: healthy"), ok.output)

        let late = try status([lagging])
        XCTAssertEqual(late.exitCode, 1, late.output)
        XCTAssertTrue(late.stdout.contains("lagging sync lag: last success"), late.output)
        XCTAssertTrue(late.stdout.contains("(max: 45m"), late.output)

        let down = try status([failing])
        XCTAssertEqual(down.exitCode, 2, down.output)
        XCTAssertTrue(down.stdout.contains("failing failed its last 2 runs: ERP answered HTTP 503"), down.output)

        // All three: the worst decides; JSON carries every figure.
        let all = try status([dir], "json")
        XCTAssertEqual(all.exitCode, 2, all.output)
        let report = try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [String: Any] ?? [:]
        XCTAssertEqual(report["status"] as? String, "unhealthy")
        let byName = Dictionary(uniqueKeysWithValues: (report["pipelines"] as? [[String: Any]] ?? []).map { ($0["name"] as? String ?? "", $0) })
        XCTAssertEqual(byName["healthy"]?["status"] as? String, "healthy")
        XCTAssertEqual(byName["healthy"]?["rejects_24h"] as? Int, 2)
        XCTAssertEqual(byName["healthy"]?["max_lag_seconds"] as? Int, 2700)
        XCTAssertEqual(byName["lagging"]?["status"] as? String, "degraded")
        XCTAssertEqual(byName["failing"]?["failures_1h"] as? Int, 2)
        XCTAssertEqual(byName["failing"]?["consecutive_failures"] as? Int, 2)
        XCTAssertEqual(byName["failing"]?["last_run_status"] as? String, "failed")

        let metrics = try status([dir], "prometheus")
        XCTAssertEqual(metrics.exitCode, 2)
        XCTAssertTrue(metrics.stdout.contains("etl_health_status 2\n"), metrics.stdout)
        XCTAssertTrue(metrics.stdout.contains("etl_pipeline_health_status{pipeline=\"lagging\"} 1\n"), metrics.stdout)
        XCTAssertTrue(metrics.stdout.contains("etl_pipeline_failed_runs{pipeline=\"failing\",window=\"1h\"} 2\n"), metrics.stdout)
    }

    func testStuckRunsInboxConflictsAndThresholdsFromTheHealthSection() throws {
        let busy = try pipeline("busy", health: "health: {max_pending_conflicts: 2, max_rejects_24h: 10, max_inbox_age: 10m}")
        try ledgerRow("busy", "completed", minutesAgo: 10, rejected: 11)
        try db.query(try String(contentsOfFile: TestEnvironment.repoRoot + "/sql/sync-conflicts.sql", encoding: .utf8))
        try db.query("""
            INSERT INTO sync_conflicts (record_type, record_id, status) VALUES
              ('contact', 'C-1', 'pending'), ('contact', 'C-2', 'pending'), ('contact', 'C-3', 'pending'), ('contact', 'C-4', 'escalated');
            CREATE TABLE etl_inbox (id BIGSERIAL PRIMARY KEY, pipeline TEXT, idempotency_key TEXT, status TEXT, received_at TIMESTAMPTZ,
              body BYTEA, headers JSONB, attempts INT, next_attempt_at TIMESTAMPTZ, last_error TEXT, processed_at TIMESTAMPTZ,
              response_status INT, response_body TEXT, UNIQUE (pipeline, idempotency_key));
            INSERT INTO etl_inbox (pipeline, idempotency_key, status, received_at) VALUES
              ('busy', 'k1', 'pending', now() - interval '20 minutes'), ('busy', 'k2', 'dead', now()), ('other', 'k3', 'dead', now());
            """)
        let degraded = try status([busy], "json")
        XCTAssertEqual(degraded.exitCode, 1, degraded.output)
        let report = try JSONSerialization.jsonObject(with: Data(degraded.stdout.utf8)) as? [String: Any] ?? [:]
        let busyReport = (report["pipelines"] as? [[String: Any]])?.first ?? [:]
        XCTAssertEqual(busyReport["conflicts_pending"] as? Int, 3)
        XCTAssertEqual(busyReport["conflicts_escalated"] as? Int, 1)
        XCTAssertEqual(busyReport["inbox_pending"] as? Int, 1)
        XCTAssertEqual(busyReport["inbox_dead"] as? Int, 1)
        let types = Set((report["issues"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String })
        XCTAssertEqual(types, ["pending_conflicts", "rejects", "queue_age", "dead_events"])

        // A second pipeline on the same database shows the counts, but the conflicts are one issue.
        let quiet = try pipeline("quiet", health: "health: {max_pending_conflicts: 2}")
        try ledgerRow("quiet", "completed", minutesAgo: 5)
        let both = try status([busy, quiet], "json")
        let bothReport = try JSONSerialization.jsonObject(with: Data(both.stdout.utf8)) as? [String: Any] ?? [:]
        let conflictIssues = (bothReport["issues"] as? [[String: Any]] ?? []).filter { $0["type"] as? String == "pending_conflicts" }
        XCTAssertEqual(conflictIssues.count, 1, both.stdout)
        XCTAssertEqual((bothReport["pipelines"] as? [[String: Any]])?.last?["conflicts_pending"] as? Int, 3)

        // A run still marked `running` long past its timeout: unhealthy.
        try ledgerRow("busy", "running", minutesAgo: 120)
        let stuck = try status([busy])
        XCTAssertEqual(stuck.exitCode, 2, stuck.output)
        XCTAssertTrue(stuck.stdout.contains("busy has 1 run marked running for longer than its timeout (30m0s)"), stuck.output)
    }

    func testAnInvalidPipelineOrUnreachableDatabaseIsUnhealthyNotSkipped() throws {
        try "name: broken\nsource: {type: nosuch}\n".write(toFile: dir + "/broken.yaml", atomically: true, encoding: .utf8)
        let r = try status([dir + "/broken.yaml"])
        XCTAssertEqual(r.exitCode, 2, r.output)
        XCTAssertTrue(r.stdout.contains("configuration invalid"), r.output)
        let path = try pipeline("gone")
        let down = try Command.run(TestEnvironment.etlBinary, ["status", path],
                                   environment: ["DATABASE_URL": "postgresql://etl:pw-secret-9@127.0.0.1:1/none"], timeout: 60)
        XCTAssertEqual(down.exitCode, 2, down.output)
        XCTAssertTrue(down.stdout.contains("database unreachable"), down.output)
        XCTAssertFalse(down.output.contains("pw-secret-9"), down.output)
    }

    // MARK: the monitor pipeline

    func testSyncMonitorStoresReportsPostsToSlackAndPagesWhenUnhealthy() throws {
        let peer = try HTTPPeer(routes: ["/slack": [["status": 200, "body": "ok"]], "/v2/enqueue": [["status": 202, "body": "{}"]]])
        peers.append(peer)
        func monitor() throws -> CommandResult {
            try Command.run(TestEnvironment.etlBinary,
                            ["run", TestEnvironment.repoRoot + "/pipelines/sync-monitor.yaml", "--set", "source.pipelines=[\(dir!)]"],
                            environment: ["DATABASE_URL": db.url, "SLACK_WEBHOOK_URL": peer.url + "/slack",
                                          "PAGERDUTY_ROUTING_KEY": "pd-key-5151", "PAGERDUTY_URL": peer.url + "/v2/enqueue"],
                            timeout: 60)
        }
        func slack() -> [String] {
            peer.bodies(path: "/slack").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["text"] as? String }
        }
        _ = try pipeline("lagging")
        try ledgerRow("lagging", "completed", minutesAgo: 90)

        let first = try monitor()
        XCTAssertEqual(first.exitCode, 0, first.output)
        XCTAssertEqual(try db.query("SELECT status, degraded, unhealthy, jsonb_array_length(issues) FROM sync_health_reports"),
                       [["degraded", "1", "0", "1"]])
        XCTAssertEqual(slack().count, 1)
        XCTAssertTrue(slack().first?.contains("Data Sync Degraded") ?? false, "\(slack())")
        XCTAssertTrue(slack().first?.contains("lagging sync lag") ?? false, "\(slack())")
        XCTAssertEqual(peer.requests(path: "/v2/enqueue").count, 0)

        // A failing pipeline joins: unhealthy — Slack and PagerDuty.
        _ = try pipeline("failing")
        try ledgerRow("failing", "failed", minutesAgo: 20, error: "boom")
        try ledgerRow("failing", "failed", minutesAgo: 5, error: "boom")
        let second = try monitor()
        XCTAssertEqual(second.exitCode, 0, second.output)
        XCTAssertEqual(try db.scalar("SELECT status FROM sync_health_reports ORDER BY id DESC LIMIT 1"), "unhealthy")
        XCTAssertEqual(slack().count, 2)
        XCTAssertTrue(slack().last?.contains("Data Sync Unhealthy") ?? false, "\(slack())")
        let pages = peer.bodies(path: "/v2/enqueue").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(pages.count, 1)
        XCTAssertEqual(pages.first?["routing_key"] as? String, "pd-key-5151")
        XCTAssertEqual(pages.first?["dedup_key"] as? String, "sync-monitor/unhealthy")
        let payload = pages.first?["payload"] as? [String: Any] ?? [:]
        XCTAssertEqual(payload["severity"] as? String, "critical")
        XCTAssertEqual(payload["source"] as? String, "sync-monitor")
        XCTAssertTrue((payload["summary"] as? String ?? "").hasPrefix("Data sync system unhealthy: "), "\(payload)")

        // Five minutes later, the same state: stored again, PagerDuty told again (it keeps one
        // incident per dedup_key), Slack not repeated within its window.
        let third = try monitor()
        XCTAssertEqual(third.exitCode, 0, third.output)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM sync_health_reports"), "3")
        XCTAssertEqual(slack().count, 2)
        XCTAssertEqual(peer.requests(path: "/v2/enqueue").count, 2)
        XCTAssertFalse(third.output.contains("pd-key-5151"))
    }
}
