import ETLConnectors
import ETLCore
import ETLPostgres
import XCTest

/// The driver registers no secrets: its own messages mask the URL's password,
/// and the run's redactor learns the password from the configuration.
final class PostgresSecretsTests: XCTestCase {
    func testConnectionErrorsNeverShowThePasswordAndTheRedactorFindsItInBothForms() throws {
        let password = "Sup3r-Secret-Pa55word"
        let url = "postgresql://etl_user:\(password)@127.0.0.1:1/warehouse?connect_timeout=5"
        XCTAssertThrowsError(try PostgresConnection(url: url)) { error in
            guard let pg = error as? PostgresError else { return XCTFail("\(error)") }
            for text in [pg.description, "\(error)", pg.etlError.description, pg.etlError.message] {
                XCTAssertFalse(text.contains(password), text)
            }
        }
        let keyword = "host=127.0.0.1 port=1 dbname=etl password=Another-Secret-99"
        let redactor = Redactor(secrets: Redactor.secrets(inEnvironment: ["DATABASE_URL": url, "PG_DSN": keyword]))
        XCTAssertEqual(redactor.redact("leak: \(password) and Another-Secret-99"), "leak: *** and ***")
        XCTAssertEqual(Redactor.keywordPasswords(in: "host=db password='a b c d' user=x"), ["a b c d"])
    }
}
