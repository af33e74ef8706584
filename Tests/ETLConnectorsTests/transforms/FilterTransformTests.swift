import XCTest
import ETLCore
@testable import ETLConnectors

final class FilterTransformTests: XCTestCase {
    func testKeepsOnlyRecordsWhereTheConditionIsTrueAndCountsTheRest() throws {
        let filter = try TransformHarness.make("filter", #"when: qty > 0 and status != "deleted""#)
        let context = TransformHarness.context()
        let out = try TransformHarness.run(filter, [TransformHarness.records("""
            [{"id": 1, "qty": 5, "status": "ok"},
             {"id": 2, "qty": 0, "status": "ok"},
             {"id": 3, "qty": 9, "status": "deleted"},
             {"id": 4, "qty": 2}]
            """)], context: context)
        XCTAssertEqual(out.records.map { $0["id"] }, [1, 4])
        XCTAssertEqual(out.records.map(\.position), [0, 3])
        XCTAssertEqual(out.rejects, [])
        XCTAssertEqual(context.metrics.count("records_filtered"), 2)
    }

    func testNullAndFalseDropTheRecord() throws {
        let out = try TransformHarness.run("filter", "when: flag", #"[{"flag": true}, {"flag": null}, {}, {"flag": false}]"#)
        XCTAssertEqual(out.records.map(\.position), [0])
        XCTAssertEqual(out.rejects, [])
    }

    func testANonBooleanConditionRejectsLikeAndOrDo() throws {
        // `flag and true` on "yes" is an error in the language; `flag` alone must not silently drop it.
        let out = try TransformHarness.run("filter", "when: flag", #"[{"flag": "yes"}, {"flag": 1}, {"flag": true}]"#)
        XCTAssertEqual(out.records.map(\.position), [2])
        XCTAssertEqual(out.rejects.map(\.record.position), [0, 1])
        XCTAssertEqual(out.rejects.first?.reasons, ["condition gave string \"yes\", expected true, false or null"])
    }

    func testMissingFieldsCompareAsNull() throws {
        let out = try TransformHarness.run("filter", "when: is_null(a.b) or a.b == \"x\"", #"[{"a": {"b": "x"}}, {"a": {"b": "y"}}, {"a": 1}, {}]"#)
        XCTAssertEqual(out.records.map(\.position), [0, 2, 3])
    }

    func testUnicodeComparison() throws {
        let out = try TransformHarness.run("filter", #"when: city == "Zürich""#, #"[{"city": "Zürich"}, {"city": "Zurich"}]"#)
        XCTAssertEqual(out.records.map(\.position), [0])
    }

    func testEvaluationErrorRejectsOnlyThatRecord() throws {
        let out = try TransformHarness.run("filter", "when: to_int(qty) > 1", #"[{"qty": "5"}, {"qty": "five"}, {"qty": 0}]"#)
        XCTAssertEqual(out.records.map(\.position), [0])
        XCTAssertEqual(out.rejects.map(\.record.position), [1])
        XCTAssertEqual(out.rejects.first?.stage, "filter")
        XCTAssertTrue(out.rejects.first?.reasons.first?.contains("cannot convert \"five\" to int") == true, "\(out.rejects)")
    }

    func testInvalidExpressionIsAnOptionError() {
        let diagnostics = TransformHarness.optionDiagnostics("filter", "when: qty >")
        XCTAssertEqual(diagnostics.count, 1, "\(diagnostics)")
        XCTAssertTrue(diagnostics.first?.message.contains("in expression 'qty >'") == true, "\(diagnostics)")
    }
}
