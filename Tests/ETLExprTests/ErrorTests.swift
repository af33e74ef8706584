import Foundation
import XCTest
import ETLCore
@testable import ETLExpr

final class CompileErrorTests: XCTestCase {
    func testDoubledOperatorPointsAtSecondToken() {
        let e = assertCompileError("qty >> 3", offset: 5, contains: "expected a value")
        XCTAssertEqual(e?.length, 1)
        XCTAssertEqual(e?.hint, "'>>' is not an operator; did you mean '>'?")
    }

    func testUnknownFunctionSuggestsTheClosest() {
        let e = assertCompileError("lowr(sku)", offset: 0, contains: "unknown function 'lowr'")
        XCTAssertEqual(e?.length, 4)
        XCTAssertEqual(e?.hint, "did you mean 'lower'?")
        XCTAssertEqual(assertCompileError("qty + uper(sku)", offset: 6)?.hint, "did you mean 'upper'?")
        XCTAssertEqual(assertCompileError("parsetime(x)", offset: 0)?.hint, "did you mean 'parse_time'?")
    }

    func testOffsetsCountCharactersNotBytes() {
        assertCompileError("\"é€\" + lowr(x)", offset: 7)
    }

    func testArityErrorsPointAtTheCall() {
        let e = assertCompileError("qty + lower(sku, 1)", offset: 6, contains: "lower takes 1 argument, got 2")
        XCTAssertEqual(e?.length, 13)
        XCTAssertEqual(e?.hint, "usage: lower(s) -> string")
        assertCompileError("substr(sku)", offset: 0, contains: "substr takes 2 to 3 arguments, got 1")
        assertCompileError("now(1)", offset: 0, contains: "now takes 0 arguments, got 1")
        assertCompileError("coalesce()", offset: 0, contains: "at least 1 argument")
        assertCompileError("format(\"{} and {}\", qty)", offset: 0, contains: "2 {} but 1 value")
    }

    func testStaticTypeErrors() {
        assertCompileError("\"a\" * 2", offset: 4, contains: "cannot multiply a string")
        assertCompileError("qty - \"1\"", offset: 4, contains: "cannot subtract a string")
        assertCompileError("true + 1", offset: 5, contains: "cannot add a bool")
        assertCompileError("not 5", offset: 4, contains: "'not' needs a condition")
        assertCompileError("qty > 0 and 5", offset: 12, contains: "'and' needs a condition")
        assertCompileError("if \"x\" then 1 else 2", offset: 3, contains: "'if' needs a condition")
        assertCompileError("lower(1)", offset: 6, contains: "lower: argument 1 must be string, got int")
        assertCompileError("substr(sku, \"1\")", offset: 12, contains: "argument 2 must be number")
        assertCompileError("1 < \"a\"", offset: 2, contains: "cannot compare int with string")
        assertCompileError("-\"a\"", offset: 0, contains: "cannot negate")
        assertCompileError("qty in 5", offset: 7, contains: "'in' needs a list")
        assertCompileError("qty / 0", offset: 6, contains: "division by zero")
        assertCompileError("matches(sku, \"[\")", offset: 13, contains: "invalid regular expression")
        assertCompileError("exists(1 + 2)", offset: 7, contains: "exists needs a field path")
        assertCompileError("upper(sku) * 2", offset: 11, contains: "cannot multiply a string")
    }

    func testSyntaxErrors() {
        assertCompileError("sku ==", offset: 6, contains: "expected a value, found end of expression")
        assertCompileError("(qty + 1", offset: 8, contains: "expected ')'")
        XCTAssertEqual(assertCompileError("lower(sku", offset: 9)?.hint, "add ')' to close the '(' at character 6")
        assertCompileError("\"abc", offset: 0, contains: "string is not closed")
        XCTAssertEqual(assertCompileError("qty = 3", offset: 4)?.hint, "use '==' to compare")
        assertCompileError("qty & 1", offset: 4)
        assertCompileError("12x", offset: 0, contains: "'12x' is not a number")
        assertCompileError("upper(sku) sku", offset: 11, contains: "unexpected 'sku'")
        assertCompileError("if qty > 1 then 1", offset: 17, contains: "expected 'else'")
        assertCompileError("sku @ 2", offset: 4, contains: "unexpected character '@'")
        assertCompileError("data.", offset: 5, contains: "expected a field name")
        assertCompileError("\"a\\q\"", offset: 2, contains: "unknown escape")
        assertCompileError("", offset: 0, contains: "empty")
        assertCompileError("99999999999999999999", offset: 0, contains: "too large")
        assertCompileError("(1)(2)", offset: 3, contains: "only functions can be called")
    }

    func testErrorDescriptionIsReadable() throws {
        do { _ = try Expression.compile("lowr(sku)") } catch let e as ExpressionError {
            XCTAssertEqual("\(e)", "unknown function 'lowr' (at character 1) (hint: did you mean 'lower'?)")
        }
    }
}

final class RuntimeErrorTests: XCTestCase {
    func testErrorsNameTheOperation() {
        assertRuntimeError("qty / (qty - 5)", contains: "/: division by zero")
        assertRuntimeError("qty % (qty - 5)", contains: "%: division by zero")
        assertRuntimeError("weight / (qty - 5)", contains: "/: division by zero")
        assertRuntimeError("price / (qty - 5)", contains: "/: division by zero")
        assertRuntimeError("sku * 2", contains: "*: cannot multiply string \"SKU-001\" and int 2")
        assertRuntimeError("tags - 1", contains: "-: cannot subtract array")
        assertRuntimeError("-sku", contains: "-: cannot negate string \"SKU-001\"")
        assertRuntimeError("qty and true", contains: "and: expected a bool, got int 5")
        assertRuntimeError("if sku then 1 else 2", contains: "if: expected a bool")
        assertRuntimeError("sku > 3", contains: ">: cannot compare string \"SKU-001\" with int 3")
        assertRuntimeError("sku <= qty", contains: "<=: cannot compare")
        assertRuntimeError("lower(qty)", contains: "lower: argument 1 must be a string, got int 5")
        assertRuntimeError("len(qty)", contains: "len: argument 1 must be a string, list or object")
        assertRuntimeError("5 in qty", contains: "in: expected a list")
        assertRuntimeError("matches(sku, pattern)", contains: "matches: invalid regular expression", Fields([("sku", "a"), ("pattern", "(")]))
        assertRuntimeError("format(f, 1)", contains: "format: the template has more {}", Fields([("f", "{} {}")]))
    }

    func testRuntimeErrorDescriptionIsTheMessage() {
        do { _ = try eval("to_int(\"abc\")") } catch {
            XCTAssertEqual("\(error)", "to_int: cannot convert \"abc\" to int")
        }
    }
}
