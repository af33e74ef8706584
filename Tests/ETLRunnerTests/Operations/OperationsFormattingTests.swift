import XCTest
import ETLCore
@testable import ETLRunner

/// The pure parts of the operator's commands: state value checks, the metrics
/// file's read-back, the progress line, and how `etl test` compares values.
final class OperationsFormattingTests: XCTestCase {
    func testStateValuesKeepTheSavedShape() throws {
        XCTAssertEqual(try PipelineState.check("2024-06-01T00:00:00Z", like: .string("2024-01-01T10:00:00Z"), key: "cursor"),
                       .string("2024-06-01T00:00:00Z"))
        XCTAssertEqual(try PipelineState.check("2024-06-01 10:30:00+00", like: .string("2024-01-01"), key: "cursor"),
                       .string("2024-06-01 10:30:00+00"))
        XCTAssertThrowsError(try PipelineState.check("yesterday", like: .string("2024-01-01T10:00:00Z"), key: "cursor"))
        XCTAssertThrowsError(try PipelineState.check("2024-13-01", like: .string("2024-01-01"), key: "cursor"))
        XCTAssertEqual(try PipelineState.check("42", like: .int(7), key: "cursor"), .int(42))
        XCTAssertThrowsError(try PipelineState.check("forty", like: .int(7), key: "cursor"))
        XCTAssertThrowsError(try PipelineState.check("  ", like: nil, key: "cursor"))
        XCTAssertEqual(try PipelineState.check("c-200", like: nil, key: "cursor"), .string("c-200"))
    }

    func testMetricsFileKeepsTheLastSuccessOfItsOwnPipeline() throws {
        let dir = NSTemporaryDirectory() + "etl-metrics-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/a.prom"
        let first = Date(timeIntervalSince1970: 1_700_000_000)
        try MetricsFile.write(path: path, pipeline: "a\"b", status: .completed, exitCode: 0,
                              variables: Fields([("duration", .double(1.5)), ("records_read", .int(3))]), now: first)
        try MetricsFile.write(path: path, pipeline: "a\"b", status: .failed, exitCode: 1, variables: Fields(), now: first.addingTimeInterval(60))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.contains("etl_last_success_timestamp_seconds{pipeline=\"a\\\"b\"} 1700000000\n"), text)
        XCTAssertTrue(text.contains("etl_last_run_timestamp_seconds{pipeline=\"a\\\"b\"} 1700000060\n"), text)
        XCTAssertTrue(text.contains("etl_run_success{pipeline=\"a\\\"b\"} 0\n"), text)
        XCTAssertFalse(text.contains("etl_run_records"), "no figures the failed run did not have: \(text)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["a.prom"])
    }

    func testProgressLineShowsRateAndETAOnlyWhenTheTotalIsKnown() {
        let metrics = RunMetrics()
        metrics.add("records_read", 1_234_567)
        metrics.add(Progress.recordsToSinks, 1_000_000)
        XCTAssertEqual(ProgressDisplay.line(metrics, elapsed: 10, pipeline: "p", dryRun: false),
                       "p: read 1,234,567 · written 1,000,000 · 123,456/s · 10.0s")
        metrics.set(Progress.bytesTotal, .int(1000))
        metrics.set(Progress.bytesDone, .int(250))
        XCTAssertEqual(ProgressDisplay.line(metrics, elapsed: 10, pipeline: "p", dryRun: true),
                       "p: read 1,234,567 · would write 1,000,000 · 123,456/s · 10.0s · 25% · ETA 30.0s")
    }

    func testWhileDownloadingTheContentLengthGivesTheETA() {
        let metrics = RunMetrics()
        metrics.set(Progress.downloadDone, .int(3 << 20))
        metrics.set(Progress.downloadTotal, .int(12 << 20))
        XCTAssertEqual(ProgressDisplay.line(metrics, elapsed: 2, pipeline: "p", dryRun: false),
                       "p: downloading 3.0 MB of 12.0 MB · 2.0s · 25% · ETA 6.0s")
        metrics.add("records_read", 10)
        XCTAssertTrue(ProgressDisplay.line(metrics, elapsed: 3, pipeline: "p", dryRun: false).hasPrefix("p: read 10 · "))
    }

    func testAPlannerEstimateIsShownAsOne() {
        let metrics = RunMetrics()
        metrics.add("records_read", 250)
        metrics.set(Progress.recordsEstimate, .int(1000))
        XCTAssertEqual(ProgressDisplay.line(metrics, elapsed: 1, pipeline: "p", dryRun: false),
                       "p: read 250 · written 0 · 250/s · 1.0s · ~25% · ETA ~3.0s")
        metrics.add("records_read", 1000)
        XCTAssertFalse(ProgressDisplay.line(metrics, elapsed: 2, pipeline: "p", dryRun: false).contains("%"),
                       "more rows than estimated: no percentage")
    }

    func testTestExpectationsCompareNumbersByValueAndNameEveryDifference() {
        XCTAssertTrue(ValueMatch.equal(.int(5), .double(5)))
        XCTAssertFalse(ValueMatch.equal(.int(5), .string("5")))
        let diffs = ValueMatch.differences(expected: ["sku": "A", "qty": 5, "tags": ["x"]],
                                           actual: ["sku": "A", "qty": .double(4), "tags": ["x", "y"], "extra": true], path: "")
        XCTAssertEqual(diffs, ["qty: expected 5, got 4", "tags: expected 1 items [\"x\"], got 2 [\"x\",\"y\"]", "extra: not expected, got true"])
    }
}
