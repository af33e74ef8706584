import XCTest
@testable import ETLCore

/// A non-zero number too small for a double used to read as 0 — and then pass a
/// validate rule `type: int` as the integer 0. It is out of range, like 1e999.
final class JSONUnderflowTests: XCTestCase {
    private func error(_ text: String) -> JSONError? {
        var r = JSONStreamReader(bytes: Array(text.utf8), source: "in.json")
        do { while !(try r.nextElements(max: 8)).isEmpty {}; return nil } catch { return error as? JSONError }
    }

    func testANonZeroNumberThatUnderflowsIsOutOfRange() {
        XCTAssertEqual(error(#"[{"qty": 1e-400}]"#)?.message,
                       "number 1e-400 is out of range at line 1, column 10 — it is too close to zero for a 64-bit floating point number, which would read it as 0")
        XCTAssertNotNil(error("[-0.000001e-330]"))
        XCTAssertNotNil(error("[12.5E-999]"))
    }

    func testZerosAndTheSmallestDoublesStillRead() throws {
        XCTAssertNil(error("[0, 0.0, -0.0, 0e-400, 0.000e+5, 5e-324, 2.2250738585072014e-308]"))
        var r = JSONStreamReader(bytes: Array("[0e-400, 5e-324]".utf8), source: "in.json")
        let values = try r.nextElements(max: 8).map(\.value)
        XCTAssertEqual(values, [.double(0), .double(5e-324)])
    }
}
