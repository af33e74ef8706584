import ETLConnectors
import ETLCore
import ETLHTTP
import Foundation
import XCTest

/// The HTTP driver registers no secrets (the run's redactor learns them from the
/// configuration); its own messages mask URL passwords and query values.
final class HTTPSecretsTests: XCTestCase {
    func testHTTPErrorAsETLErrorKeepsMessageAndHint() throws {
        let http = HTTPError(kind: .network("connection refused"), method: "GET",
                             url: "http://etl-user:pw-s3cr3t-value@127.0.0.1:1/items?api_key=tok-abc-123&page=2")
        let text = "\(http) \(http.etlError)"
        XCTAssertFalse(text.contains("pw-s3cr3t-value"), text)
        XCTAssertFalse(text.contains("tok-abc-123"), text)
        XCTAssertEqual(http.etlError.message, http.message)
        XCTAssertEqual(http.etlError.hint, http.hint)
    }
}
