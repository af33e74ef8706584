import Foundation
import XCTest
import ETLCore
import ETLConfig
import ETLRunner

/// A table name PostgreSQL cannot parse used to fail the run with "invalid name
/// syntax" and no name; `validate` now refuses it, naming the value.
final class PostgresTableNameTests: XCTestCase {
    var harness: ValidateHarness!

    override func setUpWithError() throws { harness = try ValidateHarness() }
    override func tearDown() { harness?.remove() }

    private func validate(_ yaml: String, overrides: [String] = []) throws -> [Diagnostic] {
        try harness.validate(yaml, overrides: overrides)
    }

    private func assertError(_ yaml: String, _ fragment: String, line: Int, column: Int, overrides: [String] = [],
                             file: StaticString = #filePath, testLine: UInt = #line) throws {
        try harness.assertError(yaml, fragment, line: line, column: column, overrides: overrides, file: file, testLine: testLine)
    }

    func testTableNamesPostgreSQLCannotParseAreNamed() throws {
        let sink = "sink: {type: postgres, database: postgres://localhost/x, key: [id], columns: {id: id}, table: "
        try assertError(sink + "\"shop..items\"}\n", "table name 'shop..items' has an empty part", line: 3, column: 95)
        try assertError(sink + "a.b.c.d}\n", "table name 'a.b.c.d' has 4 dot-separated parts", line: 3, column: 95)
        try assertError(sink + String(repeating: "x", count: 64) + "}\n", "is longer than 63 bytes", line: 3, column: 95)
        XCTAssertEqual(try validate(sink + "'Shop.\"Odd\" Items'}\n").filter { $0.severity == .error }, [])
    }
}
