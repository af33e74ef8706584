import Foundation
import XCTest
import ETLCore
@testable import ETLExpr

final class ValueFunctionTests: XCTestCase {
    func testCoalesceExists() {
        assertEval("coalesce(nothing, missing, sku)", "SKU-001")
        assertEval("coalesce(nothing)", .null)
        assertEval("exists(sku)", true)
        assertEval("exists(nothing)", true)           // present, though null
        assertEval("exists(missing)", false)
        assertEval("exists(data.account.name)", true)
        assertEval("exists(data.account.email)", false)
        assertEval("exists(lineItems[1])", true)
        assertEval("exists(lineItems[2])", false)
        assertEval("exists(record[\"weird key\"])", true)
        assertEval("exists(status)", true, Fields(), variables: Fields([("status", "ok")]))
    }

    func testTypes() {
        assertEval("is_null(nothing)", true)
        assertEval("is_null(missing)", true)
        assertEval("is_null(\"\")", false)
        assertEval("type_of(qty)", "int")
        assertEval("type_of(weight)", "double")
        assertEval("type_of(price)", "decimal")
        assertEval("type_of(now())", "timestamp")
        assertEval("type_of(tags)", "array")
        assertEval("type_of(data)", "object")
        assertEval("type_of(missing)", "null")
        assertEval("type_of(15m)", "double")
    }

    func testHashAndUUID() throws {
        // sha256("abc")
        assertEval("hash(\"abc\")", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        assertEval("hash(5) == hash(\"5\")", true)
        let a = try eval("uuid()"), b = try eval("uuid()")
        XCTAssertNotEqual(a, b)
        let text = try XCTUnwrap(a.stringValue)
        XCTAssertEqual(text.count, 36)
        XCTAssertEqual(text, text.lowercased())
        XCTAssertNotNil(UUID(uuidString: text))
    }

    func testFunctionSpecsAreDocumented() {
        let specs = Expression.functionSpecs
        let names = specs.map(\.name)
        XCTAssertEqual(Set(names).count, names.count, "each function is declared once")
        for required in ["lower", "upper", "trim", "split", "join", "replace", "substr", "concat", "format", "starts_with",
                         "ends_with", "contains", "matches", "to_int", "to_decimal", "to_double", "to_string", "round", "abs",
                         "min", "max", "floor", "ceil", "now", "parse_time", "format_time", "epoch", "coalesce", "exists",
                         "len", "is_null", "type_of", "hash", "uuid"] {
            XCTAssertTrue(names.contains(required), required)
        }
        for s in specs {
            XCTAssertTrue(s.signature.hasPrefix(s.name + "("), s.signature)
            XCTAssertFalse(s.doc.isEmpty, s.name)
        }
        XCTAssertEqual(specs.first { $0.name == "substr" }?.arity, 2...3)
        XCTAssertNil(specs.first { $0.name == "concat" }?.maxArity)
    }
}

/// `a ?? b` has its own compiled form (and one for a constant fallback); it must
/// answer like the general chain: the first operand that is not null, else the last.
final class CoalesceTests: XCTestCase {
    func testTwoOperandFormsAnswerLikeTheChain() {
        assertEval("sku ?? false", "SKU-001")
        assertEval("nothing ?? false", false)
        assertEval("missing ?? false", false)
        assertEval("missing ?? null", .null)
        assertEval("nothing ?? missing", .null)
        assertEval("missing ?? sku", "SKU-001")
        assertEval("empty ?? sku", "")                      // empty is not null
        assertEval("qty ?? price", 5)
        assertEval("missing ?? data.account.name", "Acme")
        assertEval("data.account.email ?? 0", 0)
        assertEval("(missing ?? nothing) ?? 3", 3)
        assertEval("missing ?? nothing ?? 3", 3)
        XCTAssertThrowsError(try eval("missing ?? to_int(\"x\")"))
        XCTAssertEqual(try eval("sku ?? to_int(\"x\")"), "SKU-001", "the fallback is not evaluated when not needed")
        for record in [Fields([("flag", true)]), Fields([("flag", .null)]), Fields(), Fields([("flag", false)])] {
            let general = try? eval("coalesce(flag, false)", record)
            XCTAssertEqual(try eval("flag ?? false", record), general)
        }
    }
}
