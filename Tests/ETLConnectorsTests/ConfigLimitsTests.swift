import Foundation
import XCTest
import ETLCore
import ETLConfig
import ETLRunner

/// Values YAML typing accepts but a run cannot use: each is refused while
/// validating, at the option's line and column, naming the value.
final class ConfigLimitsTests: XCTestCase {
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

    func testValidateRuleBoundsMustBeExactAndOrdered() throws {
        let stage = "sink: {type: stdout}\ntransforms:\n  - type: validate\n    rules:\n"
        try assertError(stage + "      qty: {min: 99999999999999999999999}\n", "min 1e+23 is out of range", line: 7, column: 18)
        try assertError(stage + "      qty: {max: -1e300}\n", "max -1e+300 is out of range", line: 7, column: 18)
        try assertError(stage + "      qty: {min: 5, max: 1}\n", "max 1.0 is below min 5.0", line: 7, column: 26)
        try assertError(stage + "      sku: {min_length: -1}\n", "min_length must be 0 or more, found -1", line: 7, column: 25)
        try assertError(stage + "      sku: {min_length: 3, max_length: 2}\n", "max_length 2 is below min_length 3", line: 7, column: 40)
        XCTAssertEqual(try validate(stage + "      qty: {type: int, min: -9007199254740992, max: 9007199254740992}\n")
            .filter { $0.severity == .error }, [])
    }

    func testNumbersMustBeFiniteAndDurationsInRange() throws {
        try assertError("sink: {type: stdout}\ntimeout: .nan\n", "must be a duration from 0 to 10 years, found '.nan'", line: 4, column: 10)
        try assertError("sink: {type: stdout}\ntimeout: .inf\n", "found '.inf'", line: 4, column: 10)
        try assertError("sink: {type: stdout}\ntimeout: 99999999w\n", "found '99999999w'", line: 4, column: 10)
        try assertError("sink: {type: stdout}\ntransforms:\n  - type: validate\n    rules: {qty: {min: .nan}}\n",
                        "option 'min' of 'rules.qty' of validate transform must be a finite number", line: 6, column: 24)
        // --set goes through the same checks.
        let errors = try validate("sink: {type: stdout}\n", overrides: ["timeout=nan"]).filter { $0.severity == .error }
        XCTAssertEqual(errors.map(\.message), ["option 'timeout' of pipeline must be a duration from 0 to 10 years, found 'nan'"])
    }

    func testRejectsMaxAndCountsMustBeUsable() throws {
        try assertError("sink: {type: stdout}\nrejects: {max: -5}\n", "found '-5'", line: 4, column: 16)
        try assertError("sink: {type: stdout}\nrejects: {max: nan%}\n", "found 'nan%'", line: 4, column: 16)
        try assertError("sink: {type: stdout}\nrejects: {log_limit: -1}\n", "rejects.log_limit must be 0 or more", line: 4, column: 22)
        try assertError("sink: {type: stdout}\nbatch_size: -5\n", "batch_size must be from 1 to 1000000, found -5", line: 4, column: 13)
        XCTAssertEqual(try validate("sink: {type: stdout}\nrejects: {max: 0}\nbatch_size: 1000000\n").filter { $0.severity == .error }, [])
    }

    func testFiftyThousandVarsLoadInLinearTime() throws {
        let vars = (0..<50_000).map { "  v\($0): \($0)\n" }.joined()
        let began = Date()
        XCTAssertEqual(try validate("sink: {type: stdout}\nvars:\n" + vars).filter { $0.severity == .error }, [])
        XCTAssertLessThan(Date().timeIntervalSince(began), 10, "was 12.6 s: quadratic in the number of vars")
    }
}
