import ETLConnectors
import ETLCore
import ETLHTTP
import Foundation
import XCTest

/// The HTTP driver registers no secrets; the connectors that build its
/// objects from configuration do, and convert its errors.
final class HTTPSecretsTests: XCTestCase {
    func testHTTPAuthSecretsAreRegistered() {
        HTTPAuth.bearer(token: "bearer-token-7f3a").registerSecrets()
        HTTPAuth.basic(user: "etl", password: "basic-pass-91b2").registerSecrets()
        HTTPAuth.header(name: "X-API-Key", value: "api-key-55c1").registerSecrets()
        let encoded = Data("etl:basic-pass-91b2".utf8).base64EncodedString()
        XCTAssertEqual(Redactor.shared.redact("bearer-token-7f3a basic-pass-91b2 api-key-55c1 Basic \(encoded)"),
                       "*** *** *** Basic ***")
    }

    func testAWSCredentialsSecretsAreRegistered() {
        AWSCredentials(accessKeyID: "AKIAEXAMPLE", secretAccessKey: "aws-secret-key-4e1d", sessionToken: "aws-session-token-88").registerSecrets()
        XCTAssertEqual(Redactor.shared.redact("AKIAEXAMPLE aws-secret-key-4e1d aws-session-token-88"), "AKIAEXAMPLE *** ***")
    }

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
