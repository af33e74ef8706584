import Foundation
import XCTest
import ETLCore
@testable import ETLExpr

final class StringFunctionTests: XCTestCase {
    func testCase() {
        assertEval("upper(sku)", "SKU-001")
        assertEval("lower(sku)", "sku-001")
        assertEval("upper(name)", "STRASSE")               // Unicode: ß upper-cases to SS
        assertEval("lower(\"ÀÉÎ\")", "àéî")
        assertEval("upper(nothing)", .null)
        assertEval("lower(missing)", .null)
    }

    func testTrimSplitJoin() {
        assertEval("trim(\"  a b \\n\")", "a b")
        assertEval("trim(\"\\u00a0x\\t\")", "x")
        assertEval("trim(\"  \")", "")
        assertEval("trim(sku)", "SKU-001")
        assertEval("split(\"a,b,,c\", \",\")", ["a", "b", "", "c"])
        assertEval("split(\"héllo\", \"\")", ["h", "é", "l", "l", "o"])
        assertEval("join(tags, \"-\")", "a-b-c")
        assertEval("join([1, null, \"x\"], \"/\")", "1//x")
        assertEval("join(split(\"a b\", \" \"), \"+\")", "a+b")
        assertEval("split(nothing, \",\")", .null)
    }

    func testReplaceSubstr() {
        assertEval("replace(\"a-b-c\", \"-\", \"+\")", "a+b+c")
        assertEval("replace(\"abc\", \"\", \"x\")", "abc")
        assertEval("substr(\"héllo\", 1, 3)", "éll")
        assertEval("substr(\"héllo\", 2)", "llo")
        assertEval("substr(\"hello\", -3)", "llo")
        assertEval("substr(\"hello\", 10)", "")
        assertEval("substr(\"hello\", 3, 100)", "lo")
        assertRuntimeError("substr(\"hello\", 1, -1)", contains: "substr: length must not be negative")
    }

    func testConcatFormat() {
        assertEval("concat(sku, \":\", qty, nothing)", "SKU-001:5")
        assertEval("format(\"{} of {}\", qty, 10)", "5 of 10")
        assertEval("format(\"no placeholders\")", "no placeholders")
        assertEval("\"n=\" + qty", "n=5")
        assertEval("qty + \"x\"", "5x")
        assertEval("\"a\" + nothing", "a")
        assertEval("data.account.name + \" \" + data.account.id", "Acme 42")
    }

    func testPredicates() {
        assertEval("starts_with(sku, \"SKU\")", true)
        assertEval("ends_with(sku, \"002\")", false)
        assertEval("contains(sku, \"U-0\")", true)
        assertEval("contains(tags, \"c\")", true)
        assertEval("contains([1, 2], 2.0)", true)
        assertEval("matches(sku, \"^SKU-[0-9]+$\")", true)
        assertEval("matches(sku, \"^X\")", false)
        assertEval("matches(sku, pattern)", true, Fields([("sku", "ab"), ("pattern", "b$")]))
        assertEval("starts_with(nothing, \"a\")", .null)
    }

    func testLenCountsCharacters() {
        assertEval("len(\"héllo\")", 5)
        assertEval("len(\"👍🏽e\u{301}\")", 2)          // one emoji with a skin tone, one combined é
        assertEval("len(tags)", 3)
        assertEval("len(data)", 1)
        assertEval("len(nothing)", 0)
        assertEval("len(missing)", 0)
    }
}
