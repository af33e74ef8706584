import Foundation
import XCTest
import ETLCore
import ETLConfig
import ETLPostgres
import ETLTestSupport
@testable import ETLRunner

/// `etl serve` writes its ledger row from two threads: the bookkeeping loop's
/// `progress` every few seconds and shutdown's `finish`, which does not wait for that
/// loop. On one libpq connection two statements at once desync the protocol and one
/// caller waits forever (seen as a serve that never exits after SIGTERM).
final class ServeLedgerTests: XCTestCase {
    func testFinishWhileProgressIsWritingCompletesTheRow() throws {
        let url = try TestDatabase.url.get()
        let table = TestDatabase.uniqueName("serve_runs")
        let directory = TestTemporaryDirectory.make("etl-serve-ledger-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try """
        name: hook
        database: \(url)
        ledger: {table: \(table)}
        source: {type: file, path: in.json}
        sink: {type: stdout}
        """.write(toFile: directory + "/hook.yaml", atomically: true, encoding: .utf8)
        let loaded = PipelineLoader(registry: Registry.make(), environment: [:]).load(path: directory + "/hook.yaml")
        let spec = try XCTUnwrap(loaded.spec, "\(loaded.diagnostics)")
        let logger = Logger(write: { _ in })

        let rounds = 25
        for round in 0..<rounds {
            let ledger = try XCTUnwrap(ServeLedger(spec: spec, runID: "r\(round)", logger: logger))
            let metrics = RunMetrics()
            let stop = StopFlag()
            let spinner = Thread {
                while !stop.isSet { ledger.progress(metrics) }
            }
            spinner.start()
            Thread.sleep(forTimeInterval: 0.005)
            let finished = DispatchSemaphore(value: 0)
            Thread { ledger.finish(metrics); finished.signal() }.start()
            XCTAssertEqual(finished.wait(timeout: .now() + 10), .success, "round \(round): finish never returned")
            stop.set()
        }
        let c = try PostgresConnection(url: url)
        defer { c.close() }
        let rows = try c.execute("SELECT count(*) FILTER (WHERE status = 'completed'), count(*) FROM \(table)")
        XCTAssertEqual(rows.value(row: 0, column: 0).intValue, Int64(rounds))
        XCTAssertEqual(rows.value(row: 0, column: 1).intValue, Int64(rounds))
        _ = try c.execute("DROP TABLE \(table)")
    }
}

/// A flag one thread sets and another polls.
private final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
