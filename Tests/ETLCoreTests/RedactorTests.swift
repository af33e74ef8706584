import XCTest
@testable import ETLCore

/// The run's redactor: raw secrets, their URL-encoded forms, passwords that break
/// their URL, and the pieces of them libraries quote.
final class RedactorTests: XCTestCase {
    func testRedactorMasksSecretsAndURLPasswords() {
        let redactor = Redactor(secrets: ["tok-123456"])
        XCTAssertEqual(redactor.redact("Bearer tok-123456 failed"), "Bearer *** failed")
        XCTAssertEqual(redactor.redact("postgresql://etl:pw@db:5432/x down"), "postgresql://etl:***@db:5432/x down")
        XCTAssertEqual(Redactor().redact("tok-123456"), "tok-123456", "each redactor knows only its own secrets")
    }

    func testAPasswordThatBreaksItsURLIsStillFoundAndMaskedInEveryForm() {
        let url = "postgresql://etluser:S3c/ret@PW%@127.0.0.1:5432/etl"
        XCTAssertEqual(Redactor.urlPasswords(in: url), ["S3c/ret@PW%"])
        let redactor = Redactor(secrets: Redactor.secrets(inEnvironment: ["DATABASE_URL": url, "HOME": "/root", "WEBHOOK_ON": "true"]))
        XCTAssertEqual(redactor.redact("error 08001 (etluser:S3c/ret@PW%@127.0.0.1): invalid integer value \"S3c\""),
                       "error 08001 (etluser:***@127.0.0.1): invalid integer value \"***\"", "even the piece libpq quotes")
        XCTAssertEqual(redactor.redact("dsn=S3c%2Fret%40PW%25"), "dsn=***", "the URL-encoded form is masked too")
        XCTAssertEqual(redactor.redact("flag true"), "flag true", "short flag values of secret-looking names are not secrets")
        XCTAssertEqual(redactor.redact(#"invalid percent-encoded token: "ret@PW%@127.0.0.1:5432/etl""#),
                       #"invalid percent-encoded token: "***""#, "a quoted piece of a password is masked whole")
        XCTAssertEqual(redactor.redact(#"column "sku" is missing"#), #"column "sku" is missing"#)
        let withWebhook = Redactor(secrets: ["https://hooks.slack.com/services/T0/B0/SECRET"])
        XCTAssertEqual(withWebhook.redact(#"cannot fetch "https://erp.example.com/inventory""#),
                       #"cannot fetch "https://erp.example.com/inventory""#, "a quoted URL is not a piece of a webhook secret")
        let token = Redactor(secrets: ["T000-tok-20261202"])
        XCTAssertEqual(token.redact(#"{"run_id":"20261202T000512Z-8a7b"}"#, quotedPieces: false), #"{"run_id":"20261202T000512Z-8a7b"}"#,
                       "JSON structure is not quoting: a run id sharing digits with a token stays")
    }
}
