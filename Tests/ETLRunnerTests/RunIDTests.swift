import XCTest
import ETLRunner

/// Run ids have one shape and one length: a random part with leading zeros
/// keeps them, so ids sort, parse and fit columns alike.
final class RunIDTests: XCTestCase {
    func testRunIDsHaveAFixedLength() {
        let ids = (0..<2000).map { _ in PipelineRunner.makeRunID() }
        for id in ids {
            XCTAssertEqual(id.count, 25, id)
            XCTAssertNotNil(id.range(of: #"^\d{8}T\d{6}Z-[0-9a-f]{8}$"#, options: .regularExpression), id)
        }
    }
}
