import Foundation
import XCTest
import ETLCore
@testable import ETLExpr

final class NumberFunctionTests: XCTestCase {
    func testIntArithmeticStaysInt() {
        assertEval("qty * 2", 10)
        assertEval("6 / 3", 2)
        assertEval("7 / 2", 3.5)
        assertEval("7 % 3", 1)
        assertEval("-7 % 3", -1)
        assertEval("qty * 1.5", 7.5)
        assertEval("9223372036854775807 + 1", dec("9223372036854775808"))   // widens, never wraps
    }

    func testDecimalExactness() {
        assertEval("0.1d + 0.2d == 0.3d", true)
        assertEval("0.1 + 0.2 == 0.3", false)               // doubles are not exact...
        assertEval("to_decimal(\"0.1\") + to_decimal(\"0.2\")", dec("0.3"))
        assertEval("to_decimal(0.1) + to_decimal(0.2) == to_decimal(\"0.3\")", true)
        assertEval("price * qty", dec("99.95"))             // int mixes to decimal
        assertEval("price + 0.01", dec("20"))               // a double joins decimal maths by its shortest text
        assertEval("1d / 3d * 3d == 1d", false)
        assertEval("price % 5", dec("4.99"))
        assertEval("-price % 5", dec("-4.99"))
        assertEval("type_of(price * 2)", "decimal")
    }

    /// The fast path for plain decimal text gives what Foundation's parser gives:
    /// the same value and the same text, trailing zeros included.
    func testPlainDecimalTextConvertsLikeFoundation() throws {
        let texts = ["19.99", "1.50", "-0.01", "+3.25", "007", "42", "0.000001", "123456789012345678",
                     "1234567890123456789", "99999999999999999.9", "-12.345000", "0", "-0", "0.00", "1e3",
                     " 12.5 ", "\t7.25", ".5", "5.", "1.2.3", "12abc", "", "-", "1 000"]
        for text in texts {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            let foundation = Double(trimmed) != nil ? Decimal(string: trimmed, locale: Locale(identifier: "en_US_POSIX")) : nil
            let converted = try? Conversions.toDecimal(.string(text))
            XCTAssertEqual(converted, foundation.map { .decimal($0) }, "to_decimal(\"\(text)\")")
            if let foundation, case .decimal(let mine) = converted {
                XCTAssertEqual(Value.decimal(mine).text, Value.decimal(foundation).text, "text of \"\(text)\"")
            }
            XCTAssertEqual(Conversions.trimmedSpaces(text), trimmed, "trimmed \"\(text)\"")
        }
    }

    func testComparisonsAcrossNumberKinds() {
        assertEval("qty == 5.0", true)
        assertEval("qty == 5d", true)
        assertEval("price > 19.98", true)
        assertEval("price < 20", true)
        assertEval("weight >= 2.5d", true)
        assertEval("\"abc\" < \"abd\"", true)
        assertEval("\"B\" < \"a\"", true)
        assertEval("sku == \"SKU-001\"", true)
        assertEval("sku != 5", true)
        assertEval("nothing == null", true)
        assertEval("missing == null", true)
        assertEval("tags == [\"a\", \"b\", \"c\"]", true)
    }

    func testConversions() {
        assertEval("to_int(\"42\")", 42)
        assertEval("to_int(\" 42 \")", 42)
        assertEval("to_int(3.9)", 3)
        assertEval("to_int(-3.9)", -3)
        assertEval("to_int(\"3.9\")", 3)
        assertEval("to_int(price)", 19)
        assertEval("to_int(true)", 1)
        assertEval("to_int(nothing)", .null)
        assertEval("to_double(\"2.5\")", 2.5)
        assertEval("to_double(price)", 19.99)
        assertEval("to_decimal(\"19.99\")", dec("19.99"))
        assertEval("to_decimal(5)", dec("5"))
        assertEval("to_string(qty)", "5")
        assertEval("to_string(tags)", "[\"a\",\"b\",\"c\"]")
        assertEval("to_string(nothing)", .null)
        assertRuntimeError("to_int(sku)", contains: "to_int: cannot convert \"SKU-001\" to int")
        assertRuntimeError("to_int(\"12abc\")", contains: "to_int: cannot convert")
        assertRuntimeError("to_decimal(\"12abc\")", contains: "to_decimal: cannot convert \"12abc\" to decimal")
        assertRuntimeError("to_double(\"x\")", contains: "to_double: cannot convert")
        assertRuntimeError("to_int(1e30)", contains: "to_int: cannot convert")
    }

    func testRounding() {
        assertEval("round(2.5)", 3.0)
        assertEval("round(-2.5)", -3.0)
        assertEval("round(2.345, 2)", 2.35)
        assertEval("round(to_decimal(\"2.345\"), 2)", dec("2.35"))
        assertEval("round(price, 1)", dec("20"))
        assertEval("round(1234, -2)", 1200)
        assertEval("round(qty)", 5)
        assertEval("floor(2.7)", 2.0)
        assertEval("floor(-2.2)", -3.0)
        assertEval("ceil(2.1)", 3.0)
        assertEval("ceil(price)", dec("20"))
        assertEval("floor(price)", dec("19"))
        assertEval("abs(-3)", 3)
        assertEval("abs(-2.5)", 2.5)
        assertEval("abs(0d - price)", dec("19.99"))
        assertEval("round(nothing)", .null)
    }

    func testMinMax() {
        assertEval("min(3, 1, 2)", 1)
        assertEval("max(3, 1.5, price)", dec("19.99"))
        assertEval("min([4, 2, 8])", 2)
        assertEval("max(nothing, 1)", 1)
        assertEval("min(nothing)", .null)
        assertEval("max(\"apple\", \"pear\")", "pear")
        assertRuntimeError("max(1, \"a\")", contains: "max: cannot compare")
    }

    func testNullPropagatesThroughArithmetic() {
        assertEval("nothing + 1", .null)
        assertEval("missing * 2", .null)
        assertEval("missing ?? 0", 0)
        assertEval("(missing ?? 0) + 1", 1)
        assertEval("nothing ?? missing ?? \"x\"", "x")
        assertEval("qty ?? 0", 5)
    }
}
