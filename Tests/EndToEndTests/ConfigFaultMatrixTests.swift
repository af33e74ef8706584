import Foundation
import XCTest

/// Configurations that once passed `validate` and then crashed `run` (SIGILL,
/// SIGSEGV) or failed every run: each is now a validate error at its line and
/// column with a hint, and `run` refuses it the same way (exit 2, no signal).
final class ConfigFaultMatrixTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "etl-faults-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try #"[{"sku": "A-1", "qty": 3}]"#.write(toFile: directory + "/in.json", atomically: true, encoding: .utf8)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    private let base = """
        name: t
        source: {type: file, path: in.json}
        sink: {type: stdout}

        """

    private func write(_ body: String) throws -> String {
        let path = directory + "/p.yaml"
        try (base + body).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `validate` and `run` both exit 2 and report `line:column` with the message and a hint.
    private func assertRefused(_ body: String, at position: String, _ message: String,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let path = try write(body)
        for command in ["validate", "run"] {
            let r = try Command.run(TestEnvironment.etlBinary, [command, path], timeout: 60)
            XCTAssertEqual(r.exitCode, 2, "\(command): \(r.output.prefix(2000))", file: file, line: line)
            XCTAssertTrue(r.output.contains("p.yaml:\(position): error: "), "\(command): \(r.output.prefix(2000))", file: file, line: line)
            XCTAssertTrue(r.output.contains(message), "\(command) lacks «\(message)»: \(r.output.prefix(2000))", file: file, line: line)
            XCTAssertTrue(r.output.contains("hint: "), "\(command): \(r.output.prefix(2000))", file: file, line: line)
        }
    }

    func testAValidateBoundBeyondTwoToThe53IsRefused() throws {
        try assertRefused("""
            transforms:
              - type: validate
                rules:
                  qty: {type: int, min: 99999999999999999999999}
            """, at: "7:29", "rule for 'qty': min 1e+23 is out of range")
    }

    func testANaNOrNegativeTimeoutIsRefused() throws {
        try assertRefused("timeout: .nan\n", at: "4:10", "option 'timeout' of pipeline must be a duration from 0 to 10 years, found '.nan'")
        try assertRefused("timeout: -5\n", at: "4:10", "must be a duration from 0 to 10 years, found '-5'")
    }

    func testANegativeRejectsMaxIsRefused() throws {
        try assertRefused("rejects:\n  max: -5\n", at: "5:8", "rejects.max must be a count or a percentage like 1%, found '-5'")
        try assertRefused("rejects:\n  max: 150%\n", at: "5:8", "found '150%'")
    }

    func testABatchSizeOfZeroOrABillionIsRefused() throws {
        try assertRefused("batch_size: 0\n", at: "4:13", "batch_size must be from 1 to 1000000, found 0")
        try assertRefused("batch_size: 1000000000\n", at: "4:13", "found 1000000000")
    }

    func testAnExpressionNested5000DeepIsRefused() throws {
        let deep = String(repeating: "(", count: 5_000) + "qty > 0" + String(repeating: ")", count: 5_000)
        try assertRefused("transforms:\n  - type: filter\n    when: '\(deep)'\n", at: "6:268",  // the quote is column 11; the 257th "(" is one too deep
                          "expression is nested too deeply (more than 256 levels)")
    }

    func testA5000TermAndChainValidatesAndRuns() throws {
        let chain = Array(repeating: "qty > 0", count: 5_000).joined(separator: " and ")
        let path = try write("transforms:\n  - type: filter\n    when: '\(chain)'\n")
        let v = try Command.run(TestEnvironment.etlBinary, ["validate", path], timeout: 60)
        XCTAssertEqual(v.exitCode, 0, String(v.output.prefix(2000)))
        let r = try Command.run(TestEnvironment.etlBinary, ["run", path], timeout: 60)
        XCTAssertEqual(r.exitCode, 0, String(r.output.prefix(2000)))
        XCTAssertTrue(r.stdout.contains(#""sku":"A-1""#), r.stdout)
    }

    func testFiftyThousandVarsValidateInLinearTime() throws {
        let vars = (0..<50_000).map { "  v\($0): \($0)\n" }.joined()
        let path = try write("vars:\n" + vars)
        let began = Date()
        let r = try Command.run(TestEnvironment.etlBinary, ["validate", path], timeout: 120)
        XCTAssertEqual(r.exitCode, 0, String(r.output.prefix(2000)))
        // Was 12.6 s (quadratic); linear work is well under a second even in a debug build.
        XCTAssertLessThan(Date().timeIntervalSince(began), 10)
    }
}
