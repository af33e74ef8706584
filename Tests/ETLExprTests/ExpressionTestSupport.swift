import Foundation
import XCTest
import ETLCore
@testable import ETLExpr

/// A record shaped like the ERP feed, with nesting, arrays and awkward keys.
let sampleRecord = Fields([
    ("sku", "SKU-001"),
    ("qty", 5),
    ("price", .decimal(Decimal(string: "19.99")!)),
    ("weight", 2.5),
    ("name", "Straße"),
    ("empty", ""),
    ("nothing", .null),
    ("tags", ["a", "b", "c"]),
    ("data", ["account": ["name": "Acme", "id": 42]]),
    ("lineItems", [["sku": "L1", "qty": 1], ["sku": "L2", "qty": 2]]),
    ("weird key", "odd"),
])

let fixedNow = Date(timeIntervalSince1970: 1_709_294_400)   // 2024-03-01T12:00:00Z

func eval(_ source: String, _ record: Fields = sampleRecord, variables: Fields? = nil,
          file: StaticString = #filePath, line: UInt = #line) throws -> Value {
    try Expression.compile(source).evaluate(record: record, variables: variables, now: fixedNow)
}

func assertEval(_ source: String, _ expected: Value, _ record: Fields = sampleRecord, variables: Fields? = nil,
                file: StaticString = #filePath, line: UInt = #line) {
    do {
        let v = try eval(source, record, variables: variables)
        XCTAssertEqual(v, expected, "\(source)", file: file, line: line)
    } catch {
        XCTFail("\(source) threw \(error)", file: file, line: line)
    }
}

/// Asserts a compile error at an exact character offset; returns it for more checks.
@discardableResult
func assertCompileError(_ source: String, offset: Int, contains fragment: String? = nil,
                        file: StaticString = #filePath, line: UInt = #line) -> ExpressionError? {
    do {
        _ = try Expression.compile(source)
        XCTFail("\(source) compiled but should not", file: file, line: line)
    } catch let e as ExpressionError {
        XCTAssertEqual(e.offset, offset, "offset for \(source): \(e)", file: file, line: line)
        if let fragment { XCTAssertTrue(e.message.contains(fragment), "'\(e.message)' lacks '\(fragment)'", file: file, line: line) }
        return e
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
    return nil
}

func assertRuntimeError(_ source: String, contains fragment: String, _ record: Fields = sampleRecord,
                        file: StaticString = #filePath, line: UInt = #line) {
    do {
        let v = try eval(source, record)
        XCTFail("\(source) gave \(v) but should fail", file: file, line: line)
    } catch let e as ExpressionRuntimeError {
        XCTAssertTrue(e.message.contains(fragment), "'\(e.message)' lacks '\(fragment)'", file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}

func dec(_ s: String) -> Value { .decimal(Decimal(string: s)!) }
