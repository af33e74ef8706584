import XCTest
import ETLCore
@testable import ETLConnectors

final class MapTransformTests: XCTestCase {
    func testComputedRenamedKeptAndDroppedFieldsInOrder() throws {
        let out = try TransformHarness.run("map", """
            rename: {id: external_id}
            drop: [secret]
            fields:
              email: lower(trim(data.email))
              full_name: data.first + " " + data.last
              source: '"crm"'
            """, #"[{"id": 7, "secret": "x", "data": {"email": "  Ann@Example.COM ", "first": "Ann", "last": "Lee"}}]"#)
        XCTAssertEqual(out.rejects, [])
        XCTAssertEqual(out.records.map(\.json),
                       [#"{"data":{"email":"  Ann@Example.COM ","first":"Ann","last":"Lee"},"external_id":7,"email":"ann@example.com","full_name":"Ann Lee","source":"crm"}"#])
    }

    func testReplaceBuildsNestedOutputAndKeepsPositionAndRoute() throws {
        let map = try TransformHarness.make("map", """
            replace: true
            fields: {account.name: name, account.id: id, total: qty * price}
            """)
        var input = TransformHarness.records(#"[{"id": 1, "name": "Zoë", "qty": 3, "price": 1.25}]"#, from: 41, decimals: true)
        input[0].route = "r1"
        let out = try TransformHarness.run(map, [input])
        XCTAssertEqual(out.records.map(\.json), [#"{"account":{"name":"Zoë","id":1},"total":3.75}"#])
        XCTAssertEqual(out.records.first?.position, 41)
        XCTAssertEqual(out.records.first?.route, "r1")
        // 3 × 1.25 stays an exact decimal.
        XCTAssertEqual(out.records.first?["total"], .decimal(Decimal(string: "3.75")!))
    }

    func testKeepSelectsInputFieldsBeforeComputedOnesAreAdded() throws {
        let out = try TransformHarness.run("map", "keep: [a, missing]\nfields: {c: b}", #"[{"a": 1, "b": 2, "z": 3}]"#)
        XCTAssertEqual(out.records.map(\.json), [#"{"a":1,"c":2}"#])
    }

    func testMissingPathsAndNullsGiveNull() throws {
        let out = try TransformHarness.run("map", """
            fields:
              x: a.b.c
              y: list.5
              z: coalesce(n, "default")
              w: n
            """, #"[{"a": {"b": null}, "list": [1], "n": null}]"#)
        XCTAssertEqual(out.rejects, [])
        let r = try XCTUnwrap(out.records.first)
        XCTAssertEqual(r["x"], .null)
        XCTAssertEqual(r["y"], .null)
        XCTAssertEqual(r["z"], "default")
        XCTAssertEqual(r["w"], .null)
    }

    func testRuntimeErrorRejectsOnlyThatRecordWithTheReason() throws {
        let out = try TransformHarness.run("map", "fields: {qty: to_int(qty)}",
                                           #"[{"qty": "12"}, {"qty": "abc"}, {"qty": " 7 "}]"#)
        XCTAssertEqual(out.records.map { $0["qty"] }, [.int(12), .int(7)])
        XCTAssertEqual(out.records.map(\.position), [0, 2])
        XCTAssertEqual(out.rejects.count, 1)
        let reject = try XCTUnwrap(out.rejects.first)
        XCTAssertEqual(reject.stage, "map")
        XCTAssertEqual(reject.record.position, 1)
        // The rejected record is the input, untouched.
        XCTAssertEqual(reject.record["qty"], "abc")
        XCTAssertEqual(reject.reasons, [#"qty: to_int: cannot convert "abc" to int"#])
    }

    func testEveryFailingFieldIsNamed() throws {
        let out = try TransformHarness.run("map", "fields: {a: to_int(x), b: to_decimal(y), c: x}", #"[{"x": "1.5.1", "y": "zwölf"}]"#)
        XCTAssertEqual(out.records, [])
        XCTAssertEqual(out.rejects.first?.reasons, [#"a: to_int: cannot convert "1.5.1" to int"#,
                                                    #"b: to_decimal: cannot convert "zwölf" to decimal"#])
    }

    func testUnicodeSurvivesStringFunctions() throws {
        let out = try TransformHarness.run("map", "fields: {u: upper(name), n: len(name)}", #"[{"name": "straße 東京 🚚"}]"#)
        XCTAssertEqual(out.records.first?["u"], "STRASSE 東京 🚚")
        XCTAssertEqual(out.records.first?["n"], 11)
    }

    func testSyntaxErrorPointsIntoTheExpression() {
        let d = TransformHarness.optionDiagnostics("map", "fields: {total: qty + * 2}")
        XCTAssertEqual(d.count, 1, "\(d)")
        XCTAssertEqual(d.first?.message, "in expression 'qty + * 2': expected a value, found '*'")
        XCTAssertEqual(d.first?.location, SourceLocation(file: "options.yaml", line: 1, column: 23))
    }
}
