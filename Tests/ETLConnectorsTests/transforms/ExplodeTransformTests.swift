import XCTest
import ETLCore
@testable import ETLConnectors

final class ExplodeTransformTests: XCTestCase {
    private let order = #"[{"id": 1, "customer": "Zoë", "lines": [{"sku": "A", "qty": 2}, {"sku": "B", "qty": 1}]}]"#

    func testOneRecordPerElementWithTheParentFields() throws {
        let out = try TransformHarness.run("explode", "field: lines\nas: line", order)
        XCTAssertEqual(out.records.map(\.json), [
            #"{"id":1,"customer":"Zoë","line":{"sku":"A","qty":2},"_index":0}"#,
            #"{"id":1,"customer":"Zoë","line":{"sku":"B","qty":1},"_index":1}"#,
        ])
        XCTAssertEqual(out.records.map(\.position), [0, 0])
    }

    func testMergeWithParentPrefix() throws {
        let out = try TransformHarness.run("explode", "{field: lines, merge: true, parent_prefix: order_}", order)
        XCTAssertEqual(out.records.map(\.json), [
            #"{"order_id":1,"order_customer":"Zoë","sku":"A","qty":2,"_index":0}"#,
            #"{"order_id":1,"order_customer":"Zoë","sku":"B","qty":1,"_index":1}"#,
        ])
    }

    func testMergeOfScalarElementsNestsThem() throws {
        let out = try TransformHarness.run("explode", "{field: tags, merge: true}", #"[{"id": 1, "tags": ["x", null]}]"#)
        XCTAssertEqual(out.records.map(\.json), [#"{"id":1,"tags":"x","_index":0}"#, #"{"id":1,"tags":null,"_index":1}"#])
    }

    func testEmptyMissingAndNullArraysAreDroppedOrKeptOnce() throws {
        let json = #"[{"id": 1, "lines": []}, {"id": 2}, {"id": 3, "lines": null}, {"id": 4, "lines": [7]}]"#
        let dropped = try TransformHarness.run("explode", "field: lines", json)
        XCTAssertEqual(dropped.records.map(\.json), [#"{"id":4,"lines":7,"_index":0}"#])
        XCTAssertEqual(dropped.rejects, [])
        let kept = try TransformHarness.run("explode", "{field: lines, keep_empty: true}", json)
        XCTAssertEqual(kept.records.map { $0["id"] }, [1, 2, 3, 4])
        XCTAssertEqual(kept.records.map { $0["lines"] }, [.null, .null, .null, 7])
    }

    func testNestedArrayPathIsRemovedFromTheParent() throws {
        let out = try TransformHarness.run("explode", "field: data.items\nas: item",
                                           #"[{"id": 9, "data": {"account": "a", "items": [1, 2]}}]"#)
        XCTAssertEqual(out.records.map(\.json), [
            #"{"id":9,"data":{"account":"a"},"item":1,"_index":0}"#,
            #"{"id":9,"data":{"account":"a"},"item":2,"_index":1}"#,
        ])
    }

    func testAFieldThatIsNotAnArrayRejectsTheRecord() throws {
        let out = try TransformHarness.run("explode", "field: lines", #"[{"id": 1, "lines": "A,B"}, {"id": 2, "lines": {"sku": "A"}}]"#)
        XCTAssertEqual(out.records, [])
        XCTAssertEqual(out.rejects.map(\.record.position), [0, 1])
        XCTAssertEqual(out.rejects.first?.stage, "explode")
        XCTAssertEqual(out.rejects.first?.reasons, [#"lines must be an array, found string "A,B""#])
    }

    func testRouteSurvives() throws {
        let explode = try TransformHarness.make("explode", "field: xs")
        var input = TransformHarness.records(#"[{"xs": [1, 2]}]"#, from: 5)
        input[0].route = "orders"
        let out = try TransformHarness.run(explode, [input])
        XCTAssertEqual(out.records.map(\.route), ["orders", "orders"])
        XCTAssertEqual(out.records.map(\.position), [5, 5])
    }
}
