import ETLCore
import XCTest
@testable import ETLConfig

final class YAMLTypingTests: XCTestCase {
    private func typed(_ scalar: String) throws -> Value {
        let result = YAMLFixtures.load("v: \(scalar)\n")
        XCTAssertEqual(result.diagnostics, [], scalar)
        return try XCTUnwrap(result.root?["v"]).typedValue()
    }

    func testPlainScalarsFollowTheCoreSchema() throws {
        let expectations: [(String, Value)] = [
            ("", .null), ("~", .null), ("null", .null), ("Null", .null), ("NULL", .null),
            ("true", .bool(true)), ("True", .bool(true)), ("TRUE", .bool(true)), ("false", .bool(false)), ("FALSE", .bool(false)),
            ("10", .int(10)), ("-5", .int(-5)), ("+7", .int(7)), ("0", .int(0)), ("007", .int(7)),
            ("0x1F", .int(31)), ("0o17", .int(15)),
            ("9223372036854775807", .int(Int64.max)), ("-9223372036854775808", .int(Int64.min)),
            ("99999999999999999999", .double(1e20)),
            ("1.5", .double(1.5)), ("-0.25", .double(-0.25)), (".5", .double(0.5)), ("1e3", .double(1000)),
            ("2.5E-1", .double(0.25)), (".inf", .double(.infinity)), ("-.Inf", .double(-.infinity)),
            // Not core-schema values: strings, as YAML 1.2 says.
            ("yes", "yes"), ("on", "on"), ("1s", "1s"), ("1_000", "1_000"), ("0x", "0x"), ("-0x10", "-0x10"),
            ("1.2.3", "1.2.3"), ("e3", "e3"), ("nullish", "nullish"), ("2024-01-01", "2024-01-01"),
        ]
        for (text, expected) in expectations {
            XCTAssertEqual(try typed(text), expected, text)
        }
        guard case .double(let nan) = try typed(".nan") else { return XCTFail(".nan is a double") }
        XCTAssertTrue(nan.isNaN)
    }

    func testQuotedAndBlockScalarsAreAlwaysStrings() throws {
        XCTAssertEqual(try typed("\"10\""), "10")
        XCTAssertEqual(try typed("'true'"), "true")
        XCTAssertEqual(try typed("\"\""), "")
        XCTAssertEqual(try typed("'null'"), "null")
        XCTAssertEqual(try typed("!!str 3.5"), "3.5")
        XCTAssertEqual(try typed("! 42"), "42")
        XCTAssertEqual(try typed("|\n  10\n"), "10\n")
    }

    func testCoreTagsForceTheirType() throws {
        XCTAssertEqual(try typed("!!int \"10\""), 10)
        XCTAssertEqual(try typed("!!float 3"), .double(3))
        XCTAssertEqual(try typed("!!bool 'true'"), true)
    }

    func testCollectionsBecomeOrderedObjectsAndArrays() throws {
        let root = try XCTUnwrap(YAMLFixtures.load("""
        zeta: 1
        alpha: [1, "2", 3.0, null, {b: 2, a: 1}]
        mid:
          nested: true
        """).root)
        let value = root.typedValue()
        XCTAssertEqual(value.objectValue?.keys, ["zeta", "alpha", "mid"])
        XCTAssertEqual(value["alpha"] as Value?, [1, "2", .double(3), nil, ["b": 2, "a": 1]])
        XCTAssertEqual(value[path: ["alpha", "4"]].objectValue?.keys, ["b", "a"])
        XCTAssertEqual(value[path: ["mid", "nested"]], true)
    }
}

private extension Value {
    subscript(key: String) -> Value? { objectValue?[key] }
}
