import Foundation
import XCTest
import ETLCore
@testable import ETLExpr

final class ParserTests: XCTestCase {
    func testArithmeticPrecedence() {
        assertEval("1 + 2 * 3", 7)
        assertEval("(1 + 2) * 3", 9)
        assertEval("10 - 4 - 3", 3)          // left associative
        assertEval("2 * 3 % 4", 2)
        assertEval("-2 * 3", -6)
        assertEval("-qty + 1", -4)
        assertEval("- -3", 3)
    }

    func testLogicPrecedence() {
        assertEval("true or false and false", true)        // and binds tighter
        assertEval("(true or false) and false", false)
        assertEval("not qty > 10", true)                   // not applies to the comparison
        assertEval("not true == false", true)
        assertEval("qty > 0 and sku != \"\"", true)
        assertEval("qty > 0 && !(sku == \"\") || false", true)
        assertEval("1 + 2 == 3", true)
        assertEval("nothing ?? 3 > 2", true)               // ?? binds tighter than comparison
        assertEval("nothing ?? 1 + 1", 2)                  // ... and looser than +
    }

    func testConditionalAndMembership() {
        assertEval("if qty > 3 then \"many\" else \"few\"", "many")
        assertEval("if nothing then 1 else 2", 2)
        assertEval("1 + if qty > 3 then 10 else 20", 11)
        assertEval("if false then 1 else if true then 2 else 3", 2)
        assertEval("qty in [1, 5, 9]", true)
        assertEval("qty in [1.0, 5.0]", true)
        assertEval("sku not in [\"x\", \"y\"]", true)
        assertEval("\"b\" in tags", true)
        assertEval("\"SKU\" in sku", true)
        assertEval("\"account\" in data", true)
        assertEval("[qty, 1 + 1, \"x\"]", [5, 2, "x"])
        assertEval("[]", [])
    }

    func testLiterals() {
        assertEval("42", 42)
        assertEval("1.5", 1.5)
        assertEval("1e3", 1000.0)
        assertEval("0.1d", dec("0.1"))
        assertEval("true", true)
        assertEval("null", .null)
        assertEval("\"a\\\"b\\n\"", "a\"b\n")
        assertEval("'it\\'s'", "it's")
        assertEval("'say \"hi\"'", "say \"hi\"")
        assertEval("\"\\u{1F600}\\u00e9\"", "😀é")
    }

    func testDurations() {
        assertEval("15m", 900.0)
        assertEval("5s", 5.0)
        assertEval("1h30m", 5400.0)
        assertEval("500ms", 0.5)
        assertEval("1d12h", 129_600.0)
        assertEval("2w", 1_209_600.0)
        assertEval("duration > 15m", true, Fields(), variables: Fields([("duration", 901.0)]))
        assertEval("duration > 15m", false, Fields(), variables: Fields([("duration", 900)]))
    }

    func testFieldPaths() {
        assertEval("sku", "SKU-001")
        assertEval("data.account.name", "Acme")
        assertEval("data.account.id", 42)
        assertEval("lineItems[0].sku", "L1")
        assertEval("lineItems[-1].qty", 2)
        assertEval("lineItems.1.sku", "L2")
        assertEval("record[\"weird key\"]", "odd")
        assertEval("record.sku", "SKU-001")
        assertEval("data[\"account\"][\"name\"]", "Acme")
        assertEval("tags[qty - 4]", "b")
        assertEval("missing", .null)
        assertEval("data.missing.deeper", .null)
        assertEval("lineItems[7].sku", .null)
        assertEval("sku.inner", .null)
    }

    func testVariablesComeAfterRecordFields() {
        let vars = Fields([("qty", 100), ("status", "failed")])
        assertEval("qty", 5, sampleRecord, variables: vars)
        assertEval("status", "failed", sampleRecord, variables: vars)
        assertEval("status == \"failed\" and items_changed > 10000", true, Fields(),
                   variables: Fields([("status", "failed"), ("items_changed", 20_000)]))
    }

    func testReferencedVariables() throws {
        let e = try Expression.compile("upper(data.account.name) + sku + record[\"weird key\"] ?? lineItems[i].sku")
        XCTAssertEqual(e.referencedVariables, ["data", "sku", "weird key", "lineItems", "i"])
        XCTAssertEqual(try Expression.compile("now() > t and exists(x.y)").referencedVariables, ["t", "x"])
    }

    func testUnicodeIdentifiers() {
        assertEval("größe * 2", 6, Fields([("größe", 3)]))
    }

    func testCustomScope() throws {
        struct Lookup: Scope {
            var now: Date { fixedNow }
            func value(of name: String) -> Value? { name == "x" ? 21 : nil }
        }
        XCTAssertEqual(try Expression.compile("x * 2").evaluate(Lookup()), 42)
        XCTAssertEqual(try Expression.compile("y ?? now()").evaluate(Lookup()), .timestamp(fixedNow))
        XCTAssertEqual(try Expression.compile("qty + 1").evaluate(FieldsScope(record: sampleRecord, now: fixedNow)), 6)
    }

    func testTruthiness() throws {
        XCTAssertTrue(Expression.isTruthy(true))
        XCTAssertFalse(Expression.isTruthy(false))
        XCTAssertFalse(Expression.isTruthy(.null))
        XCTAssertFalse(Expression.isTruthy(1))
        XCTAssertFalse(Expression.isTruthy("true"))
        // A comparison with a missing field is null, so the condition does not hold.
        XCTAssertEqual(try eval("missing > 3"), .null)
        XCTAssertFalse(try Expression.compile("missing > 3").holds(record: sampleRecord, now: fixedNow))
        assertEval("not missing", true)
        assertEval("nothing or true", true)
    }
}
