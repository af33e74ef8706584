import Foundation
import XCTest

/// The operator's reading and repair commands — history, state, crontab, graph,
/// --version — run as an operator would: from a project directory, against the
/// ledger and state a real run left in PostgreSQL.
final class OperatorCommandsTests: XCTestCase {
    var db: TestDatabase!
    var project = ""

    override func setUpWithError() throws {
        db = try TestDatabase()
        project = TestEnvironment.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: project + "/pipelines", withIntermediateDirectories: true)
        try db.query("""
            CREATE TABLE orders (id bigint PRIMARY KEY, region text NOT NULL, total numeric(12,2), updated_at timestamptz NOT NULL);
            INSERT INTO orders VALUES (1, 'EU', 10.50, '2026-03-01 10:00:00+00'), (2, 'EU', 99.99, '2026-03-01 11:00:00+00');
            CREATE TABLE order_copy (id bigint PRIMARY KEY, total numeric(12,2));
            """)
        try """
            name: orders-copy
            schedule: "*/5 * * * *"
            database: ${DATABASE_URL}
            ledger:
              table: sync_jobs
              columns: {records_read: records_read, records_written: records_written, items_changed: items_changed}
            source:
              type: postgres
              database: ${DATABASE_URL}
              query: SELECT id, total, updated_at FROM orders
              incremental: {column: updated_at, tie_breaker: id}
            transforms:
              - type: filter
                when: total > 0
            sink:
              type: postgres
              database: ${DATABASE_URL}
              table: order_copy
              key: [id]
              columns: {id: id, total: total}
            rejects:
              sink: {type: file, path: ../rejects.ndjson}
            notify:
              - type: slack
                webhook_url: ${SLACK_WEBHOOK_URL:-http://127.0.0.1:1/hook}
                rules: [{when: status == "failed"}]
            """.write(toFile: project + "/pipelines/orders.yaml", atomically: true, encoding: .utf8)
        try """
            name: hooks-only
            source: {type: file, path: none.json}
            sink: {type: stdout}
            """.write(toFile: project + "/pipelines/hooks.yaml", atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        db?.drop()
        try? FileManager.default.removeItem(atPath: project)
    }

    @discardableResult
    private func etl(_ arguments: [String], stdin: Bool = false) throws -> CommandResult {
        try Command.run(TestEnvironment.etlBinary, arguments, environment: ["DATABASE_URL": db.url], directory: project, timeout: 60)
    }

    func testHistoryListsRunsFromTheLedgerNewestFirst() throws {
        XCTAssertEqual(try etl(["run", "pipelines/orders.yaml"]).exitCode, 0)
        let failed = try etl(["run", "pipelines/orders.yaml", "--set", "sink.table=no_such_table"])
        XCTAssertEqual(failed.exitCode, 1, failed.output)

        let table = try etl(["history"])
        XCTAssertEqual(table.exitCode, 0, table.output)
        let lines = table.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, table.stdout)
        XCTAssertTrue(lines[0].hasPrefix("STARTED (UTC)"), table.stdout)
        XCTAssertTrue(lines[1].contains("orders-copy") && lines[1].contains("failed") && lines[1].contains("relation"), table.stdout)
        XCTAssertTrue(lines[2].contains("completed"), table.stdout)

        let json = try etl(["history", "orders-copy", "--format", "json", "--failed"])
        XCTAssertEqual(json.exitCode, 0, json.output)
        let runs = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [[String: Any]]
        XCTAssertEqual(runs.count, 1)
        XCTAssertEqual(runs[0]["status"] as? String, "failed")
        XCTAssertEqual(runs[0]["run_id"] as? String, try db.scalar("SELECT run_id FROM sync_jobs WHERE status = 'failed'"))

        let one = try etl(["history", "--limit", "1", "--format", "json"])
        let newest = try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as! [[String: Any]]
        XCTAssertEqual(newest.count, 1)
        XCTAssertEqual(newest[0]["status"] as? String, "failed")

        let completed = try etl(["history", "pipelines/orders.yaml", "--format", "json"])
        let all = try JSONSerialization.jsonObject(with: Data(completed.stdout.utf8)) as! [[String: Any]]
        XCTAssertEqual((all.last?["counts"] as? [String: Any])?["records_written"] as? Int, 2, completed.stdout)
    }

    func testHistoryAndStateSayWhenTheDatabaseIsDownWithoutItsPassword() throws {
        let env = ["DATABASE_URL": "postgresql://etl:hunter2secret@127.0.0.1:1/nowhere"]
        let history = try Command.run(TestEnvironment.etlBinary, ["history"], environment: env, directory: project)
        XCTAssertEqual(history.exitCode, 1, history.output)
        XCTAssertTrue(history.stderr.contains("cannot read the ledger of orders-copy"), history.stderr)
        let state = try Command.run(TestEnvironment.etlBinary, ["state", "show", "orders-copy"], environment: env, directory: project)
        XCTAssertEqual(state.exitCode, 1, state.output)
        XCTAssertFalse((history.output + state.output).contains("hunter2secret"), history.output + state.output)
    }

    func testAPostgresSourceShowsProgressOnATerminalAndStillReadsIncrementally() throws {
        func onATerminal() throws -> CommandResult {
            try Command.run("/usr/bin/env", ["python3", TestEnvironment.repoRoot + "/Tests/Support/pty_run.py", TestEnvironment.etlBinary,
                                             "run", "pipelines/orders.yaml"], environment: ["DATABASE_URL": db.url], directory: project)
        }
        let first = try onATerminal()
        XCTAssertEqual(first.exitCode, 0, first.output)
        XCTAssertTrue(first.stdout.contains("orders-copy: read 2 · written 2 · "), first.stdout)
        try db.query("INSERT INTO orders VALUES (3, 'US', 5.00, '2026-03-02 10:00:00+00')")
        let second = try onATerminal()
        XCTAssertEqual(second.exitCode, 0, "the row estimate is asked with the cursor's parameters: \(second.output)")
        XCTAssertTrue(second.stdout.contains("orders-copy: read 1 · written 1 · "), second.stdout)
        XCTAssertEqual(try db.query("SELECT id FROM order_copy ORDER BY id"), [["1"], ["2"], ["3"]])
    }

    func testHistoryNamesAnUnknownPipelineWithASuggestion() throws {
        let r = try etl(["history", "orders-cpy"])
        XCTAssertEqual(r.exitCode, 2, r.output)
        XCTAssertTrue(r.stderr.contains("did you mean 'orders-copy'?"), r.stderr)
    }

    func testStateShowSetAndReset() throws {
        XCTAssertEqual(try etl(["run", "pipelines/orders.yaml"]).exitCode, 0)
        let show = try etl(["state", "show", "orders-copy"])
        XCTAssertEqual(show.exitCode, 0, show.output)
        XCTAssertTrue(show.stdout.contains("cursor") && show.stdout.contains("2026-03-01 11:00:00+00"), show.stdout)

        // Refused: an unknown key, a value that is not a timestamp. Nothing changes.
        let badKey = try etl(["state", "set", "orders-copy", "cursr", "2026-01-01"])
        XCTAssertEqual(badKey.exitCode, 2, badKey.output)
        XCTAssertTrue(badKey.stderr.contains("did you mean 'cursor'?"), badKey.stderr)
        let badValue = try etl(["state", "set", "orders-copy", "cursor", "yesterday"])
        XCTAssertEqual(badValue.exitCode, 2, badValue.output)
        XCTAssertTrue(badValue.stderr.contains("not a timestamp"), badValue.stderr)
        XCTAssertEqual(try db.scalar("SELECT value FROM etl_state WHERE key = 'cursor'"), "\"2026-03-01 11:00:00+00\"")

        // Moving the cursor back makes the next run read row 2 again.
        let set = try etl(["state", "set", "orders-copy", "cursor", "2026-03-01 10:30:00+00"])
        XCTAssertEqual(set.exitCode, 0, set.output)
        try db.query("DELETE FROM etl_state WHERE key = 'cursor_tie_breaker'")
        try db.query("DELETE FROM order_copy")
        XCTAssertEqual(try etl(["run", "pipelines/orders.yaml"]).exitCode, 0)
        XCTAssertEqual(try db.query("SELECT id FROM order_copy ORDER BY id"), [["2"]])

        // Reset off a terminal needs --yes.
        let refused = try etl(["state", "reset", "orders-copy"])
        XCTAssertEqual(refused.exitCode, 2, refused.output)
        XCTAssertTrue(refused.stderr.contains("--yes"), refused.stderr)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM etl_state"), "2")
        let reset = try etl(["state", "reset", "orders-copy", "--yes"])
        XCTAssertEqual(reset.exitCode, 0, reset.output)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM etl_state"), "0")
        XCTAssertEqual(try etl(["run", "pipelines/orders.yaml"]).exitCode, 0)
        XCTAssertEqual(try db.query("SELECT id FROM order_copy ORDER BY id"), [["1"], ["2"]])
    }

    func testCrontabWritesALinePerScheduledPipeline() throws {
        let r = try etl(["crontab", "--env-file", "/etc/etl/env", "--log-dir", "/var/log/etl", "--etl", "/usr/local/bin/etl"])
        XCTAssertEqual(r.exitCode, 0, r.output)
        let project = URL(fileURLWithPath: self.project).standardizedFileURL.path
        XCTAssertTrue(r.stdout.contains("*/5 * * * * cd \(project) && set -a && . /etc/etl/env && set +a && /usr/local/bin/etl run pipelines/orders.yaml >> /var/log/etl/orders-copy.log 2>&1"), r.stdout)
        XCTAssertTrue(r.stdout.contains("# hooks-only (pipelines/hooks.yaml): no schedule, skipped"), r.stdout)
        // What cron would run, run by a shell: the pipeline completes.
        let line = r.stdout.split(separator: "\n").first { $0.hasPrefix("*/5") }!
        let command = String(line.dropFirst("*/5 * * * * ".count))
            .replacingOccurrences(of: " && set -a && . /etc/etl/env && set +a", with: "")
            .replacingOccurrences(of: "/usr/local/bin/etl", with: TestEnvironment.etlBinary)
            .replacingOccurrences(of: "/var/log/etl", with: project)
        let shell = try Command.run("/bin/sh", ["-c", command], environment: ["DATABASE_URL": db.url])
        XCTAssertEqual(shell.exitCode, 0, shell.output)
        XCTAssertEqual(try db.scalar("SELECT status FROM sync_jobs"), "completed")
    }

    func testGraphIsAMermaidFlowchart() throws {
        let r = try etl(["graph", "orders-copy"])
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertTrue(r.stdout.hasPrefix("flowchart LR"), r.stdout)
        for expected in ["source[/\"source: postgres\"/]", "t0[\"transform: filter\"]", "source --> t0",
                         "sink0[(\"sink: postgres<br/>table order_copy\")]", "t0 --> sink0", "t0 -. rejected .-> rejects",
                         "n0{{\"notifier: slack\"}}"] {
            XCTAssertTrue(r.stdout.contains(expected), "\(expected) in \(r.stdout)")
        }
        XCTAssertFalse(r.stdout.contains(db.url), "database URLs stay out")
    }

    func testVersionNamesTheLinkedLibraries() throws {
        let r = try Command.run(TestEnvironment.etlBinary, ["--version"])
        XCTAssertEqual(r.exitCode, 0, r.output)
        for library in ["libpq ", "libcurl ", "libyaml "] {
            let line = r.stdout.split(separator: "\n").first { $0.hasPrefix(library) }
            XCTAssertNotNil(line, r.stdout)
            XCTAssertTrue(line.map { $0.dropFirst(library.count).first?.isNumber == true } ?? false, r.stdout)
        }
    }

    func testCompletionScriptOffersPipelinesAndConnectors() throws {
        let script = try etl(["--generate-completion-script", "bash"])
        XCTAssertEqual(script.exitCode, 0, script.output)
        XCTAssertTrue(script.stdout.contains("---completion"), "custom completions call back into etl")
        let connectors = try etl(["---completion", "describe", "--", "positional@0", "2", "3", "etl", "describe", "pos"])
        XCTAssertTrue(connectors.stdout.split(separator: "\n").contains("postgres"), connectors.output)
        let pipelines = try etl(["---completion", "graph", "--", "positional@0", "2", "3", "etl", "graph", "ord"])
        XCTAssertTrue(pipelines.stdout.split(separator: "\n").contains("orders"), pipelines.output)
    }
}
