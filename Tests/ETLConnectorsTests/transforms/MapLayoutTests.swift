import XCTest
import ETLCore
@testable import ETLConnectors

/// `map` places the values of records of one shape through a layout worked out
/// once (`MapLayout`); every record must come out exactly as the general path
/// (`MapTransform.reshape`) builds it: same keys in the same order, same values.
final class MapLayoutTests: XCTestCase {
    /// Records of one shape (sharing one key list, as a JSON payload's do), then
    /// other shapes, alternating shapes, and the first shape again.
    static let payload = #"""
    [{"a": 1, "b": "x", "c": null}, {"a": 2, "b": "y", "c": 3}, {"a": 3, "b": "z", "c": 4},
     {"b": "only b"}, {"c": 5, "a": 6, "b": "reordered"}, {"c": 7, "a": 8, "b": "again"},
     {"a": 9}, {"a": 10, "b": "w", "c": 0, "d": "extra"}, {"a": 11}, {"a": 12, "b": "w", "c": 0, "d": "extra"},
     {}, {}, {"a": 13, "b": "back", "c": 1}]
    """#

    static let configs = [
        "fields: {e: a, b: c ?? \"none\"}",                              // a new field, and one replacing an input field
        "rename: {a: b, c: z}\nfields: {a: b ?? 0}",                     // rename onto an existing name; a field named like a renamed one
        "keep: [b, a]\nrename: {b: a}\nfields: {k: a}",                  // keep after rename
        "drop: [b, d]\nfields: {d: b, a: a ?? -1}",                       // drop, then set a dropped name again
        "replace: true\nfields: {x: a, y: b, z: \"const\"}",             // replace: the output does not depend on the input keys
        "replace: true\nrename: {a: q}\nkeep: [a]\nfields: {a: c}",       // replace with rename and keep: nothing to act on
        "fields: {n.inner: a, top: b}",                                  // a nested output: no layout, the general path
    ]

    func testEveryRecordComesOutAsTheGeneralPathBuildsIt() throws {
        for config in Self.configs {
            let map = try XCTUnwrap(try TransformHarness.make("map", config) as? MapTransform)
            let input = TransformHarness.records(Self.payload)
            let out = try TransformHarness.run(map, [input, input])
            XCTAssertEqual(out.rejects, [], config)
            XCTAssertEqual(out.records.count, 2 * input.count, config)
            for (got, record) in zip(out.records, input + input) {
                let evaluated = try map.fields.map { try $0.expression.evaluate(record: record.fields, now: TransformHarness.context().startedAt) }
                let expected = map.reshape(record.fields, evaluated)
                XCTAssertEqual(got.fields.keys, expected.keys, "\(config): record \(record.position)")
                XCTAssertEqual(got.fields.values, expected.values, "\(config): record \(record.position)")
                XCTAssertEqual(got.position, record.position)
            }
        }
    }

    func testRecordsOfOneShapeShareTheirOutputKeyList() throws {
        let map = try XCTUnwrap(try TransformHarness.make("map", "fields: {e: a}") as? MapTransform)
        let out = try TransformHarness.run(map, [TransformHarness.records(Self.payload)])
        let first = out.records[1].fields.keys, second = out.records[2].fields.keys
        XCTAssertEqual(first, ["a", "b", "c", "e"])
        first.withUnsafeBufferPointer { a in
            second.withUnsafeBufferPointer { b in XCTAssertEqual(a.baseAddress, b.baseAddress, "one key list, shared") }
        }
    }
}
