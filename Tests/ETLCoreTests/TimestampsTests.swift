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
}
