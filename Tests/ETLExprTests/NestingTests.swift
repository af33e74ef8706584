import Foundation
import XCTest
import ETLCore
@testable import ETLExpr

/// Hostile shapes from the fuzz matrix: deep nesting ends in an error at the
/// level that is one too deep; long flat chains compile and evaluate (they used
/// to overflow the stack at a few thousand terms).
final class NestingTests: XCTestCase {
    private let depth = 5_000

    func testDeepParenthesesAreRefusedAtTheFirstLevelTooDeep() {
        let source = String(repeating: "(", count: depth) + "qty" + String(repeating: ")", count: depth)
        let e = assertCompileError(source, offset: Parser.maxDepth, contains: "nested too deeply (more than 256 levels)")
        XCTAssertNotNil(e?.hint)
    }

    func testDeepListsCallsAndConditionalsAreRefused() {
        assertCompileError(String(repeating: "[", count: depth) + String(repeating: "]", count: depth),
                           offset: Parser.maxDepth, contains: "nested too deeply")
        // A call is two levels (the call, then its argument): refused at the 129th `abs`.
        assertCompileError(String(repeating: "abs(", count: depth) + "1" + String(repeating: ")", count: depth),
                           offset: 4 * (Parser.maxDepth / 2), contains: "nested too deeply")
        let ifs = String(repeating: "if true then 1 else ", count: depth) + "0"
        XCTAssertTrue(compileError(ifs)?.message.contains("nested too deeply") ?? false)
    }

    func testLongPrefixAndPostfixRunsAreRefused() {
        XCTAssertTrue(compileError(String(repeating: "not ", count: depth) + "true")?.message.contains("nested too deeply") ?? false)
        XCTAssertTrue(compileError(String(repeating: "- ", count: depth) + "qty")?.message.contains("nested too deeply") ?? false)
        XCTAssertTrue(compileError("data" + String(repeating: ".x", count: depth))?.message.contains("nested too deeply") ?? false)
        XCTAssertTrue(compileError("tags" + String(repeating: "[0]", count: depth))?.message.contains("nested too deeply") ?? false)
        XCTAssertTrue(compileError(Array(repeating: "qty", count: depth).joined(separator: " == "))?.message
            .contains("nested too deeply") ?? false)
    }

    func testNestingUpToTheLimitStillWorks() {
        let n = Parser.maxDepth - 1
        assertEval(String(repeating: "(", count: n) + "qty" + String(repeating: ")", count: n), 5)
    }

    func testFlatAndOrChainsOfThousandsOfTermsEvaluate() {
        assertEval(Array(repeating: "qty > 0", count: depth).joined(separator: " and "), true)
        assertEval(Array(repeating: "qty > 0", count: depth).joined(separator: " and ") + " and qty < 0", false)
        assertEval(Array(repeating: "qty < 0", count: depth).joined(separator: " || ") + " || qty == 5", true)
        assertEval(Array(repeating: "nothing", count: depth).joined(separator: " ?? ") + " ?? sku", "SKU-001")
    }

    func testFlatArithmeticChainsOfThousandsOfTermsEvaluate() {
        assertEval(Array(repeating: "qty", count: depth).joined(separator: " + "), .int(5 * Int64(depth)))
        assertEval(Array(repeating: "1", count: depth).joined(separator: " * ") + " * qty - 2 - 1", 2)
    }

    func testChainsKeepLeftToRightMeaningAndOperatorPositions() {
        assertEval("10 - 4 - 3", 3)
        assertEval("100 / 10 / 5 % 3", 2)
        assertEval("1 + 2 * 3 - 4 / 2 + qty", 10)
        assertEval("\"a\" + 1 + 2", "a12")
        assertEval("nothing ?? nothing ?? 7", 7)
        assertEval("qty > 9 or qty < 0 or qty == 5", true)
        assertCompileError("qty + 1 - \"x\"", offset: 8, contains: "cannot subtract a string")
        assertCompileError("qty * 2 * 3 / 0", offset: 14, contains: "division by zero")
        assertCompileError("qty > 0 and qty < 9 and 5", offset: 24, contains: "'and' needs a condition")
        assertCompileError("qty > 0 or true or \"x\"", offset: 19, contains: "'or' needs a condition")
    }

    private func compileError(_ source: String) -> ExpressionError? {
        do { _ = try Expression.compile(source); return nil } catch { return error as? ExpressionError }
    }
}
