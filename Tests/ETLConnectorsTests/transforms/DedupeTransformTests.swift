import XCTest
import ETLCore
@testable import ETLConnectors

final class DedupeTransformTests: XCTestCase {
    private let batches = [
        TransformHarness.records(#"[{"k": "a", "v": 1}, {"k": "b", "v": 2}, {"k": "A", "v": 3}]"#, from: 0),
        TransformHarness.records(#"[{"k": "c", "v": 4}, {"k": "b", "v": 5}, {"k": "a", "v": 6}]"#, from: 3),
    ]

    func testKeepFirstStreamsAcrossBatches() throws {
        let dedupe = try TransformHarness.make("dedupe", "key: lower(k)\nkeep: first")
        let context = TransformHarness.context()
        let first = try dedupe.process(Batch(batches[0]), context)
        // Streams: the first batch's survivors come out at once.
        XCTAssertEqual(first.batch.records.map { $0["v"] }, [1, 2])
        let second = try dedupe.process(Batch(batches[1]), context)
        XCTAssertEqual(second.batch.records.map { $0["v"] }, [4])
        XCTAssertEqual(try dedupe.finish(context).batch.count, 0)
        XCTAssertEqual(context.metrics.count("records_deduplicated"), 3)
    }

    func testKeepLastHoldsUntilFinishAndPreservesInputOrder() throws {
        let dedupe = try TransformHarness.make("dedupe", "key: lower(k)\nkeep: last")
        let log = LogCapture()
        let context = TransformHarness.context(log)
        XCTAssertEqual(try dedupe.process(Batch(batches[0]), context).batch.count, 0)
        XCTAssertEqual(try dedupe.process(Batch(batches[1]), context).batch.count, 0)
        let out = try dedupe.finish(context)
        // Survivors are the last of each key, in the order they arrived.
        XCTAssertEqual(out.batch.records.map { $0["v"] }, [4, 5, 6])
        XCTAssertEqual(out.batch.records.map(\.position), [3, 4, 5])
        XCTAssertEqual(context.metrics.count("records_deduplicated"), 3)
        XCTAssertTrue(log.lines.contains { $0.contains("dedupe dropped 3 duplicate records (kept the last)") }, "\(log.lines)")
    }

    func testKeepLastIsTheDefault() throws {
        let out = try TransformHarness.run(try TransformHarness.make("dedupe", "key: k"), batches)
        XCTAssertEqual(out.records.map { $0["v"] }, [3, 4, 5, 6])
    }

    func testKeepLastOrdersRecordsThatShareASourcePositionByArrival() throws {
        // After `explode`, many records carry the parent's position.
        let records = (0..<50).map { i in Record(Fields([("k", .int(Int64(i))), ("v", .int(Int64(i)))]), position: 7) }
        let out = try TransformHarness.run(try TransformHarness.make("dedupe", "key: k\nkeep: last"), [records])
        XCTAssertEqual(out.records.map { $0["v"]?.intValue ?? -1 }, Array(0..<50))
    }

    func testCompositeKeysAndUnicode() throws {
        let out = try TransformHarness.run("dedupe", "key: '[country, city]'\nkeep: first", """
            [{"country": "CH", "city": "Zürich"}, {"country": "CH", "city": "Zurich"}, {"country": "CH", "city": "Zürich"}, {"country": "DE", "city": "Zürich"}]
            """)
        XCTAssertEqual(out.records.map(\.position), [0, 1, 3])
    }

    func testRecordsWithoutAKeyAreNotCollapsedIntoOne() throws {
        let out = try TransformHarness.run("dedupe", "key: email\nkeep: first", #"[{"email": null}, {}, {"email": "a"}, {"email": "a"}]"#)
        XCTAssertEqual(out.records.map(\.position), [0, 1, 2])
        let last = try TransformHarness.run("dedupe", "key: email\nkeep: last", #"[{"email": null}, {}, {"email": "a"}, {"email": "a"}]"#)
        XCTAssertEqual(last.records.map(\.position), [0, 1, 3])
    }

    func testKeyErrorRejectsTheRecord() throws {
        let out = try TransformHarness.run("dedupe", "key: to_int(id)\nkeep: first", #"[{"id": "1"}, {"id": "x"}, {"id": 1}]"#)
        XCTAssertEqual(out.records.map(\.position), [0])
        XCTAssertEqual(out.rejects.map(\.record.position), [1])
        XCTAssertEqual(out.rejects.first?.stage, "dedupe")
    }
}
