import XCTest
@testable import ETLConnectors
import ETLCore

/// The growing filter behind the postgres sink's duplicate check: never "new"
/// for a key it saw (in whichever level it was recorded), no false alarm over a
/// million distinct keys, memory that follows the keys and stops growing.
final class SeenKeyFilterTests: XCTestCase {
    func testARepeatedKeyIsAlwaysSeenAndAMillionDistinctKeysAreNot() {
        let filter = SeenKeyFilter()
        var falseAlarms = 0
        for key in 0..<1_000_000 where filter.insert(key.hashValue) { falseAlarms += 1 }
        XCTAssertEqual(falseAlarms, 0)
        // Keys from every level: the first 16k, the next 64k, 256k, and the last.
        for key in stride(from: 0, to: 1_000_000, by: 9_973) { XCTAssertTrue(filter.insert(key.hashValue), "key \(key)") }
    }

    func testMemoryFollowsTheKeysAndStopsGrowing() {
        let filter = SeenKeyFilter()
        XCTAssertEqual(filter.bytes, 256 << 10, "a small payload touches 256 KiB, not 16 MiB")
        for key in 0..<50_000 { _ = filter.insert(key.hashValue) }
        XCTAssertEqual(filter.bytes, (256 << 10) + (1 << 20))
        for key in 50_000..<700_000 { _ = filter.insert(key.hashValue) }
        XCTAssertEqual(filter.bytes, (256 << 10) + (1 << 20) + (4 << 20) + (16 << 20), "no level past 16 MiB")
        XCTAssertTrue(filter.insert(12_345.hashValue))
        XCTAssertTrue(filter.insert(699_999.hashValue))
    }

    func testTheSinkCheckSeesADuplicateKeyAndOnlyThen() {
        func key(_ sku: String) -> Hasher { var h = Hasher(); h.combine(Value.string(sku)); return h }
        var keys = PostgresDuplicateKeys(indices: [1])
        XCTAssertTrue(keys.identifies(position: 1))
        XCTAssertFalse(keys.identifies(position: 0))
        for n in 0..<10_000 { keys.observe(key("SKU-\(n)")) }
        XCTAssertFalse(keys.mayHaveDuplicates)
        XCTAssertTrue(keys.isWatching)
        keys.observe(key("SKU-42"))
        XCTAssertTrue(keys.mayHaveDuplicates)
        XCTAssertFalse(keys.isWatching, "once a duplicate may exist, keys are no longer hashed")
        XCTAssertTrue(PostgresDuplicateKeys(indices: nil).mayHaveDuplicates, "without comparable key columns the SQL check always runs")
    }
}
