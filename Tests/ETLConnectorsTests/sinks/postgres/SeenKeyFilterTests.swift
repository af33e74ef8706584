import XCTest
@testable import ETLConnectors

/// The fixed-size filter behind the postgres sink's duplicate check: never
/// "new" for a key it saw, and no false alarm over a million distinct keys.
final class SeenKeyFilterTests: XCTestCase {
    func testARepeatedKeyIsAlwaysSeenAndAMillionDistinctKeysAreNot() {
        let filter = SeenKeyFilter()
        var falseAlarms = 0
        for key in 0..<1_000_000 where filter.insert(key.hashValue) { falseAlarms += 1 }
        XCTAssertEqual(falseAlarms, 0)
        for key in stride(from: 0, to: 1_000_000, by: 9_973) { XCTAssertTrue(filter.insert(key.hashValue), "key \(key)") }
    }

    func testTheSinkCheckSeesADuplicateKeyAndOnlyThen() {
        var keys = PostgresDuplicateKeys(indices: [1])
        for n in 0..<10_000 { keys.observe([.int(Int64(n)), .string("SKU-\(n)")]) }
        XCTAssertFalse(keys.mayHaveDuplicates)
        keys.observe([.int(10_000), .string("SKU-42")])
        XCTAssertTrue(keys.mayHaveDuplicates)
        XCTAssertTrue(PostgresDuplicateKeys(indices: nil).mayHaveDuplicates, "without comparable key columns the SQL check always runs")
    }
}
