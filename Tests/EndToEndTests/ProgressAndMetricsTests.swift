import Foundation
import XCTest

/// The progress line on a terminal (and its absence everywhere else), and the
/// Prometheus metrics file a run leaves for node_exporter.
final class ProgressAndMetricsTests: XCTestCase {
    var harness: InventoryHarness!

    override func tearDown() { harness?.stop() }

    private func runOnATerminal(_ extra: [String]) throws -> CommandResult {
        try Command.run("/usr/bin/env", ["python3", TestEnvironment.repoRoot + "/Tests/Support/pty_run.py", TestEnvironment.etlBinary,
                                         "run", TestEnvironment.repoRoot + "/pipelines/inventory.yaml"] + InventoryHarness.fastRetry + extra,
                        environment: harness.environment, timeout: 60)
    }

    func testProgressIsShownOnATerminalOnly() throws {
        let payload = InventoryHarness.payload(InventoryHarness.skus(1...2000))
        harness = try InventoryHarness(products: 2000, erpResponses: Array(repeating: ["status": 200, "body": payload], count: 3))

        let tty = try runOnATerminal([])
        XCTAssertEqual(tty.exitCode, 0, tty.output)
        XCTAssertTrue(tty.stdout.contains("\r\u{1B}[Kinventory-sync: read 2,000 · written 2,000 · "), tty.stdout)
        XCTAssertTrue(tty.stdout.contains(" · 100%"), "the body's size is known: \(tty.stdout)")
        XCTAssertFalse(tty.stdout.contains(InventoryHarness.token))

        let quiet = try runOnATerminal(["--quiet"])
        XCTAssertEqual(quiet.exitCode, 0, quiet.output)
        XCTAssertFalse(quiet.stdout.contains("inventory-sync: read"), quiet.stdout)
        XCTAssertTrue(quiet.stdout.contains("inventory-sync completed"), "the summary is still there: \(quiet.stdout)")

        let piped = try harness.run()
        XCTAssertEqual(piped.exitCode, 0, piped.output)
        XCTAssertFalse(piped.output.contains("inventory-sync: read"), piped.output)
        XCTAssertFalse(piped.output.contains("\u{1B}["), "no terminal codes in logs or cron mail: \(piped.output)")
    }

    func testMetricsFileFollowsTheTextfileConventionAndKeepsTheLastSuccess() throws {
        harness = try InventoryHarness(products: 5, erpResponses: [["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...5))]])
        let directory = TestEnvironment.temporaryDirectory()
        let path = directory + "/inventory.prom"
        let ok = try harness.run(["--metrics-file", path])
        XCTAssertEqual(ok.exitCode, 0, ok.output)
        let first = try String(contentsOfFile: path, encoding: .utf8)
        let labels = "pipeline=\"inventory-sync\""
        for line in ["etl_run_success{\(labels)} 1", "etl_run_exit_code{\(labels)} 0",
                     "etl_run_records{\(labels),outcome=\"read\"} 5", "etl_run_records{\(labels),outcome=\"written\"} 5",
                     "etl_run_records{\(labels),outcome=\"rejected\"} 0", "etl_run_items_changed{\(labels)} 5",
                     "# TYPE etl_last_success_timestamp_seconds gauge"] {
            XCTAssertTrue(first.contains(line + "\n"), "\(line) in \(first)")
        }
        XCTAssertTrue(first.contains("etl_run_api_latency_seconds{\(labels)} "), first)
        let success = try XCTUnwrap(Self.value(first, "etl_last_success_timestamp_seconds{\(labels)}"))
        XCTAssertEqual(success, Date().timeIntervalSince1970, accuracy: 300)

        // A failing run (the ERP is down) keeps the last success.
        try harness.replaceERP([["status": 500, "body": "down"]])
        let failed = try harness.run(["--metrics-file", path])
        XCTAssertEqual(failed.exitCode, 1, failed.output)
        let second = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(second.contains("etl_run_success{\(labels)} 0\n"), second)
        XCTAssertTrue(second.contains("etl_run_exit_code{\(labels)} 1\n"), second)
        XCTAssertEqual(Self.value(second, "etl_last_success_timestamp_seconds{\(labels)}"), success, second)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["inventory.prom"], "no temporary file left")
        XCTAssertFalse(second.contains(InventoryHarness.token))
    }

    static func value(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.dropFirst(series.count + 1)) }
    }
}
