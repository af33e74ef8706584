import Foundation
import XCTest
import ETLCore
@testable import ETLExpr

final class TimeFunctionTests: XCTestCase {
    func testNowIsTheScopeTime() throws {
        assertEval("now()", .timestamp(fixedNow))
        let e = try Expression.compile("now()")
        let a = try e.evaluate(record: Fields(), variables: nil, now: fixedNow)
        Thread.sleep(forTimeInterval: 0.01)
        XCTAssertEqual(try e.evaluate(record: sampleRecord, variables: nil, now: fixedNow), a)
    }

    func testParseTimeISO() {
        assertEval("parse_time(\"2024-03-01T12:00:00Z\")", .timestamp(fixedNow))
        assertEval("parse_time(\"2024-03-01T14:00:00+02:00\")", .timestamp(fixedNow))
        assertEval("parse_time(\"2024-03-01T07:00:00-0500\")", .timestamp(fixedNow))
        assertEval("parse_time(\"2024-03-01 12:00:00\")", .timestamp(fixedNow))     // no offset: UTC
        assertEval("parse_time(\"2024-03-01T12:00\")", .timestamp(fixedNow))
        assertEval("parse_time(\"2024-03-01T12:00:00.250Z\")", .timestamp(fixedNow.addingTimeInterval(0.25)))
        assertEval("parse_time(\"2024-03-01\")", .timestamp(fixedNow.addingTimeInterval(-43_200)))
        assertEval("parse_time(\"1969-12-31T23:59:59Z\")", .timestamp(Date(timeIntervalSince1970: -1)))
        assertEval("parse_time(nothing)", .null)
        assertRuntimeError("parse_time(\"2024-02-30\")", contains: "parse_time: cannot parse \"2024-02-30\"")
        assertRuntimeError("parse_time(\"yesterday\")", contains: "ISO-8601")
    }

    func testParseTimeWithFormat() {
        assertEval("parse_time(\"01/03/2024 12:00\", \"%d/%m/%Y %H:%M\")", .timestamp(fixedNow))
        assertEval("parse_time(\"20240301 130000 +0100\", \"%Y%m%d %H%M%S %z\")", .timestamp(fixedNow))
        assertEval("parse_time(\"2024-03-01 06:30:00 -05:30\", \"%Y-%m-%d %H:%M:%S %z\")", .timestamp(fixedNow))
        assertEval("parse_time(\"2024-02-29\", \"%Y-%m-%d\")", .timestamp(Date(timeIntervalSince1970: 1_709_164_800)))
        assertRuntimeError("parse_time(\"2023-02-29\", \"%Y-%m-%d\")", contains: "with format \"%Y-%m-%d\"")
        assertRuntimeError("parse_time(\"2024-03-01x\", \"%Y-%m-%d\")", contains: "parse_time: cannot parse")
    }

    func testFormatTimeAndEpoch() {
        assertEval("format_time(now(), \"%Y-%m-%d %H:%M:%S %z\")", "2024-03-01 12:00:00 +0000")
        assertEval("format_time(parse_time(\"2024-03-01T01:30:00+02:00\"), \"%Y%m%d-%H%M\")", "20240229-2330")
        assertEval("format_time(\"2024-03-01T12:00:00Z\", \"%d.%m.%Y %%\")", "01.03.2024 %")
        assertEval("format_time(now())", "2024-03-01T12:00:00.000Z")
        assertEval("epoch(now())", 1_709_294_400)
        assertEval("epoch(\"1970-01-01T00:00:01.5Z\")", 1.5)
        assertEval("format_time(parse_time(\"1900-01-01T00:00:00Z\"), \"%Y-%m-%d\")", "1900-01-01")
    }

    func testTimeArithmeticWithDurations() {
        let vars = Fields([("started", .timestamp(fixedNow.addingTimeInterval(-3600)))])
        assertEval("now() - started", 3600.0, Fields(), variables: vars)
        assertEval("now() - started > 30m", true, Fields(), variables: vars)
        assertEval("started + 1h == now()", true, Fields(), variables: vars)
        assertEval("now() - 1h == started", true, Fields(), variables: vars)
        assertEval("started < now()", true, Fields(), variables: vars)
    }
}
