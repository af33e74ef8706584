@testable import ETLConnectors
import XCTest

/// The small languages of the `http` stage's options: rates and success statuses.
final class RequestOptionParsingTests: XCTestCase {
    func testRatesPerSecondMinuteAndHour() {
        XCTAssertEqual(RateLimitText.perSecond("20/s"), 20)
        XCTAssertEqual(RateLimitText.perSecond("600/min"), 10)
        XCTAssertEqual(RateLimitText.perSecond("3600 / h"), 1)
        XCTAssertEqual(RateLimitText.perSecond("0.5/s"), 0.5)
        for bad in ["fast", "20", "20/day", "0/s", "-1/s", "/s", "nan/s"] {
            XCTAssertNil(RateLimitText.perSecond(bad), bad)
        }
    }

    func testSuccessStatusesAsCodesClassesAndRanges() {
        XCTAssertEqual(SuccessStatus.range("2xx"), 200...299)
        XCTAssertEqual(SuccessStatus.range("409"), 409...409)
        XCTAssertEqual(SuccessStatus.range("200-204"), 200...204)
        for bad in ["abc", "6xx", "99", "600", "204-200", "2x"] {
            XCTAssertNil(SuccessStatus.range(bad), bad)
        }
    }
}
