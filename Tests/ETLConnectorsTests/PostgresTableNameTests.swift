import Foundation
import XCTest
import ETLCore
import ETLConfig
import ETLRunner

/// A table name PostgreSQL cannot parse used to fail the run with "invalid name
/// syntax" and no name; `validate` now refuses it, naming the value.
final class PostgresTableNameTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "etl-tables-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    private let base = """
        name: t
        source: {type: file, path: in.json}

        """

    /// Loader diagnostics, then (for a valid spec) those of building every connector, as `validate` does.
    private func validate(_ yaml: String, overrides: [String] = []) throws -> [Diagnostic] {
        let path = directory + "/p.yaml"
        try (base + yaml).write(toFile: path, atomically: true, encoding: .utf8)
        let registry = Registry.make()
        let result = PipelineLoader(registry: registry, environment: [:], overrides: overrides).load(path: path)
        guard let spec = result.spec else { return result.diagnostics }
        return result.diagnostics + PipelineValidation.buildCheck(spec, registry: registry)
    }

    private func assertError(_ yaml: String, _ fragment: String, line: Int, column: Int, overrides: [String] = [],
                             file: StaticString = #filePath, testLine: UInt = #line) throws {
        let errors = try validate(yaml, overrides: overrides).filter { $0.severity == .error }
        XCTAssertEqual(errors.count, 1, "\(errors)", file: file, line: testLine)
        guard let e = errors.first else { return }
        XCTAssertTrue(e.message.contains(fragment), "«\(e.message)» lacks «\(fragment)»", file: file, line: testLine)
        XCTAssertEqual(e.location?.line, line, "\(e)", file: file, line: testLine)
        XCTAssertEqual(e.location?.column, column, "\(e)", file: file, line: testLine)
        XCTAssertNotNil(e.hint, file: file, line: testLine)
    }

    func testTableNamesPostgreSQLCannotParseAreNamed() throws {
        let sink = "sink: {type: postgres, database: postgres://localhost/x, key: [id], columns: {id: id}, table: "
        try assertError(sink + "\"shop..items\"}\n", "table name 'shop..items' has an empty part", line: 3, column: 95)
        try assertError(sink + "a.b.c.d}\n", "table name 'a.b.c.d' has 4 dot-separated parts", line: 3, column: 95)
        try assertError(sink + String(repeating: "x", count: 64) + "}\n", "is longer than 63 bytes", line: 3, column: 95)
        XCTAssertEqual(try validate(sink + "'Shop.\"Odd\" Items'}\n").filter { $0.severity == .error }, [])
    }
}
