import Foundation
import XCTest
import ETLCore
import ETLConfig
import ETLRunner

/// A pipeline written to a temporary folder and checked as `etl validate` checks
/// it: loader diagnostics, then those of building every connector.
final class ValidateHarness {
    let directory = NSTemporaryDirectory() + "etl-validate-" + UUID().uuidString.prefix(8)
    /// Written before each YAML under test: a name and a file source.
    var base = """
        name: t
        source: {type: file, path: in.json}

        """

    init() throws { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    func validate(_ yaml: String, overrides: [String] = []) throws -> [Diagnostic] {
        let path = directory + "/p.yaml"
        try (base + yaml).write(toFile: path, atomically: true, encoding: .utf8)
        let registry = Registry.make()
        let result = PipelineLoader(registry: registry, environment: [:], overrides: overrides).load(path: path)
        guard let spec = result.spec else { return result.diagnostics }
        return result.diagnostics + PipelineValidation.buildCheck(spec, registry: registry)
    }

    /// Exactly one error, containing `fragment`, at `line`:`column`, with a hint.
    func assertError(_ yaml: String, _ fragment: String, line: Int, column: Int, overrides: [String] = [],
                     file: StaticString = #filePath, testLine: UInt = #line) throws {
        let errors = try validate(yaml, overrides: overrides).filter { $0.severity == .error }
        XCTAssertEqual(errors.count, 1, "\(errors)", file: file, line: testLine)
        guard let e = errors.first else { return }
        XCTAssertTrue(e.message.contains(fragment), "«\(e.message)» lacks «\(fragment)»", file: file, line: testLine)
        XCTAssertEqual(e.location?.line, line, "\(e)", file: file, line: testLine)
        XCTAssertEqual(e.location?.column, column, "\(e)", file: file, line: testLine)
        XCTAssertNotNil(e.hint, file: file, line: testLine)
    }
}
