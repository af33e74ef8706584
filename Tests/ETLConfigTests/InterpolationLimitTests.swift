import ETLCore
import XCTest
@testable import ETLConfig

/// `${A:-${A:-…}}` nested thousands deep used to take seconds (each level rescanned
/// the rest) and overflowed the stack in debug builds; now it is refused at the
/// first level too deep, quickly.
final class InterpolationLimitTests: XCTestCase {
    private func nested(_ levels: Int) -> String {
        String(repeating: "${A:-", count: levels) + "x" + String(repeating: "}", count: levels)
    }

    func testDefaultsNestedUpToTheLimitResolve() {
        let r = Interpolator(environment: [:]).interpolate(nested(Interpolator.maxDefaultNesting), at: nil)
        XCTAssertEqual(r.text, "x")
        XCTAssertEqual(r.diagnostics.filter { $0.severity == .error }, [])
    }

    func testDeeperDefaultsAreOneErrorAtTheFirstLevelTooDeep() throws {
        let start = SourceLocation(file: "p.yaml", line: 3, column: 10)
        let began = Date()
        let r = Interpolator(environment: [:]).interpolate(nested(5_000), at: start, exactColumnsFrom: start)
        XCTAssertLessThan(Date().timeIntervalSince(began), 2, "nested defaults must not be quadratic")
        let errors = r.diagnostics.filter { $0.severity == .error }
        XCTAssertEqual(errors.count, 1)
        let e = try XCTUnwrap(errors.first)
        XCTAssertTrue(e.message.contains("nested more than 32 levels deep"), e.message)
        XCTAssertEqual(e.location, start.advanced(byColumns: 5 * Interpolator.maxDefaultNesting))
        XCTAssertNotNil(e.hint)
    }
}
