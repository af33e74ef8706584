import XCTest
@testable import ETLCore

final class CivilCalendarTests: XCTestCase {
    func testKnownDatesAndRoundTrips() {
        XCTAssertEqual(CivilCalendar.days(year: 1970, month: 1, day: 1), 0)
        XCTAssertEqual(CivilCalendar.days(year: 2000, month: 3, day: 1), 11_017)
        XCTAssertEqual(CivilCalendar.days(year: 1969, month: 12, day: 31), -1)
        for d in stride(from: -800_000, through: 800_000, by: 997) {
            let c = CivilCalendar.date(days: d)
            XCTAssertEqual(CivilCalendar.days(year: c.year, month: c.month, day: c.day), d)
        }
        XCTAssertTrue(CivilCalendar.date(days: CivilCalendar.days(year: 2024, month: 2, day: 29)) == (2024, 2, 29))
    }
}
