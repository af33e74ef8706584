import ETLCore
import Foundation
import XCTest

final class TimestampsTests: XCTestCase {
    func testFormatRendersUTCFieldsAndKeepsUnknownCodes() {
        let date = Date(timeIntervalSince1970: 1_795_399_200 + 3600 * 13 + 60 * 4 + 9.75)   // 2026-11-23T15:04:09.75Z
        XCTAssertEqual(Timestamps.format(date, "%Y-%m-%dT%H:%M:%SZ"), "2026-11-23T15:04:09Z")
        XCTAssertEqual(Timestamps.format(date, "100%% %q %"), "100% %q %")
    }

    func testFormatBeforeTheEpochAndOnLeapDays() {
        XCTAssertEqual(Timestamps.format(Date(timeIntervalSince1970: -0.5), "%Y%m%d %H%M%S"), "19691231 235959")
        XCTAssertEqual(Timestamps.format(Date(timeIntervalSince1970: 951_782_400), "%Y-%m-%d"), "2000-02-29")
    }

    func testISO8601MatchesFoundationsFormatter() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var generator = SystemRandomNumberGenerator()
        // Whole milliseconds (what the formatter can show), from 1900 to 2200.
        for _ in 0..<5000 {
            let millis = Int64.random(in: -2_208_988_800_000...7_258_118_400_000, using: &generator)
            let date = Date(timeIntervalSince1970: Double(millis) / 1000)
            XCTAssertEqual(Timestamps.iso8601(date), formatter.string(from: date), "\(millis)")
        }
        XCTAssertEqual(Timestamps.iso8601(Date(timeIntervalSince1970: 1_795_399_200.123456)), "2026-11-23T02:00:00.123Z")
    }

    func testExactKeepsMicroseconds() {
        XCTAssertEqual(Timestamps.iso8601Exact(Date(timeIntervalSince1970: 1_795_399_200.123456)), "2026-11-23T02:00:00.123456Z")
        XCTAssertEqual(Timestamps.iso8601Exact(Date(timeIntervalSince1970: 1_795_399_200.5)), "2026-11-23T02:00:00.500Z")
        XCTAssertEqual(Timestamps.iso8601Exact(Date(timeIntervalSince1970: -0.000001)), "1969-12-31T23:59:59.999999Z")
        XCTAssertEqual(Value.timestamp(Date(timeIntervalSince1970: 0.000001)).text, "1970-01-01T00:00:00.000001Z")
    }
}
