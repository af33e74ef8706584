import Foundation
import XCTest
import ETLCore
import ETLConfig
import ETLConnectors

/// The `health:` section: typed thresholds with defaults, mistakes caught by validation;
/// and the schedule arithmetic `etl status` judges lag with.
final class HealthSpecTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "etl-health-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    private func load(_ health: String) throws -> PipelineLoader.Result {
        let path = directory + "/p.yaml"
        try """
        name: t
        source: {type: file, path: in.json}
        sink: {type: file, path: out.ndjson}
        \(health)
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return PipelineLoader(registry: BuiltinConnectors.makeRegistry(), environment: [:]).load(path: path)
    }

    func testDefaultsAndWrittenThresholds() throws {
        let defaults = try XCTUnwrap(try load("").spec).health
        XCTAssertNil(defaults.maxLag)
        XCTAssertEqual(defaults.maxConsecutiveFailures, 2)
        XCTAssertEqual(defaults.maxInboxAge, 900)
        XCTAssertEqual(defaults.maxPendingConflicts, 100)
        XCTAssertNil(defaults.maxRejects24h)

        let written = try XCTUnwrap(try load("health: {max_lag: 1h30m, max_rejects_24h: 50, max_inbox_age: 2m}").spec).health
        XCTAssertEqual(written.maxLag, 5400)
        XCTAssertEqual(written.maxRejects24h, 50)
        XCTAssertEqual(written.maxInboxAge, 120)
    }

    func testAMisspelledOrMistypedThresholdIsAPositionedError() throws {
        let r = try load("health:\n  max_lagg: 1h\n  max_failures_1h: lots\n")
        XCTAssertNil(r.spec)
        let unknown = r.diagnostics.first { $0.message.contains("max_lagg") }
        XCTAssertEqual(unknown?.location?.line, 5)
        XCTAssertEqual(unknown?.hint, "did you mean 'max_lag'?")
        XCTAssertTrue(r.diagnostics.contains { $0.severity == .error && $0.message.contains("max_failures_1h") && $0.location?.line == 6 },
                      "\(r.diagnostics)")
    }

    func testPreviousFireAndIntervalOfSchedules() throws {
        let utc = ISO8601DateFormatter()
        let now = try XCTUnwrap(utc.date(from: "2026-12-02T10:07:30Z"))
        let quarter = try CronSchedule("*/15 * * * *")
        XCTAssertEqual(quarter.previousFire(atOrBefore: now), utc.date(from: "2026-12-02T10:00:00Z"))
        XCTAssertEqual(quarter.interval(before: now), 900)
        let nightly = try CronSchedule("0 2 * * *")
        XCTAssertEqual(nightly.previousFire(atOrBefore: now), utc.date(from: "2026-12-02T02:00:00Z"))
        XCTAssertEqual(nightly.interval(before: now), 86_400)
        // Weekdays only, Wednesday 2 December: the previous fire before Monday 09:00 is Friday.
        let weekdays = try CronSchedule("0 9 * * 1-5")
        let monday = try XCTUnwrap(utc.date(from: "2026-12-07T08:00:00Z"))
        XCTAssertEqual(weekdays.previousFire(atOrBefore: monday), utc.date(from: "2026-12-04T09:00:00Z"))
        // Day of month and weekday both restricted: either matches (cron's rule).
        let either = try CronSchedule("0 0 1 * 0")
        XCTAssertEqual(either.previousFire(atOrBefore: now), utc.date(from: "2026-12-01T00:00:00Z"))
        XCTAssertEqual(either.previousFire(atOrBefore: try XCTUnwrap(utc.date(from: "2026-11-30T12:00:00Z"))),
                       utc.date(from: "2026-11-29T00:00:00Z"))
    }
}
