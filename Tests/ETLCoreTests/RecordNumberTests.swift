import XCTest
import ETLCore

/// Messages count records from 1 and say so: CSV line 501 is record 500, not 499.
final class RecordNumberTests: XCTestCase {
    func testRecordsAreNumberedFromOne() {
        let r = Rejection(record: Record(Fields(), position: 499), stage: "validate", reasons: ["qty is missing"])
        XCTAssertEqual(r.message, "record 500 (the 500th from the source) rejected by validate: qty is missing")
        XCTAssertEqual((1...4).map(RecordNumber.ordinal) + [11, 12, 13, 21, 102, 111].map(RecordNumber.ordinal),
                       ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "102nd", "111th"])
    }
}
