import XCTest
import ETLCore
@testable import ETLConnectors

final class RouteTransformTests: XCTestCase {
    private let events = """
        [{"id": 1, "event": "created"}, {"id": 2, "event": "deleted"}, {"id": 3, "event": "updated"},
         {"id": 4, "event": "archived"}, {"id": 5}]
        """

    func testFirstMatchingRouteWinsAndDefaultTakesTheRest() throws {
        let out = try TransformHarness.run("route", """
            routes:
              - {name: upsert, when: event == "created" or event == "updated"}
              - {name: delete, when: event == "deleted"}
              - {name: never, when: id > 0}
            default: other
            """, events)
        XCTAssertEqual(out.records.map(\.route), ["upsert", "delete", "upsert", "never", "never"])
        let noCatchAll = try TransformHarness.run("route", """
            routes:
              - {name: upsert, when: event == "created" or event == "updated"}
            default: other
            """, events)
        XCTAssertEqual(noCatchAll.records.map(\.route), ["upsert", "other", "upsert", "other", "other"])
        XCTAssertEqual(noCatchAll.records.map(\.position), [0, 1, 2, 3, 4])
        XCTAssertEqual(noCatchAll.records.first?.fields, TransformHarness.records(events)[0].fields)
    }

    func testWithoutDefaultUnmatchedRecordsAreDroppedAndCounted() throws {
        let route = try TransformHarness.make("route", """
            routes: [{name: delete, when: event == "deleted"}]
            """)
        let context = TransformHarness.context()
        let out = try TransformHarness.run(route, [TransformHarness.records(events)], context: context)
        XCTAssertEqual(out.records.map { $0["id"] }, [2])
        XCTAssertEqual(out.rejects, [])
        XCTAssertEqual(context.metrics.count("records_unrouted"), 4)
    }

    func testConditionErrorRejectsTheRecord() throws {
        let out = try TransformHarness.run("route", """
            routes: [{name: big, when: to_int(n) > 10}]
            default: small
            """, #"[{"n": "50"}, {"n": "x"}, {"n": 1}]"#)
        XCTAssertEqual(out.records.map(\.route), ["big", "small"])
        XCTAssertEqual(out.rejects.map(\.record.position), [1])
        XCTAssertEqual(out.rejects.first?.stage, "route")
    }

    func testANonBooleanConditionRejectsInsteadOfFallingThrough() throws {
        let out = try TransformHarness.run("route", "routes: [{name: flagged, when: flag}]\ndefault: rest",
                                           #"[{"flag": true}, {"flag": "yes"}, {}]"#)
        XCTAssertEqual(out.records.map(\.route), ["flagged", "rest"])
        XCTAssertEqual(out.rejects.map(\.record.position), [1])
    }

    func testUnicodeRouteNames() throws {
        let out = try TransformHarness.run("route", #"routes: [{name: "zürich", when: city == "Zürich"}]"#, #"[{"city": "Zürich"}]"#)
        XCTAssertEqual(out.records.map(\.route), ["zürich"])
    }

    func testRouteNeedsNameAndWhen() {
        let d = TransformHarness.optionDiagnostics("route", "routes: [{name: a}]")
        XCTAssertEqual(d.map(\.message), ["missing required option 'when' for 'routes[0]' of route transform"])
    }
}
