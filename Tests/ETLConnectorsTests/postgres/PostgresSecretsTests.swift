import ETLConnectors
import ETLCore
import ETLPostgres
import XCTest

/// The driver registers no secrets; `PostgresConnection.connect(url:)`, which
/// the connectors and the runner use, does.
final class PostgresSecretsTests: XCTestCase {
    func testPostgresConnectRegistersThePasswordAndItsErrorsNeverShowIt() throws {
        let password = "Sup3r-Secret-Pa55word"
        let url = "postgresql://etl_user:\(password)@127.0.0.1:1/warehouse?connect_timeout=5"
        XCTAssertThrowsError(try PostgresConnection.connect(url: url)) { error in
            guard let pg = error as? PostgresError else { return XCTFail("\(error)") }
            for text in [pg.description, "\(error)", pg.etlError.description, pg.etlError.message] {
                XCTAssertFalse(text.contains(password), text)
            }
        }
        // The password is registered for every later message, keyword form too.
        XCTAssertEqual(Redactor.shared.redact("leak: \(password)"), "leak: ***")
        XCTAssertThrowsError(try PostgresConnection.connect(url: "host=127.0.0.1 port=1 dbname=etl password=Another-Secret-99"))
        XCTAssertEqual(Redactor.shared.redact("leak: Another-Secret-99"), "leak: ***")
    }
}
