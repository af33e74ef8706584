import Foundation
import XCTest

/// Every shipped pipeline driven down its failure paths with recognisable
/// secrets — URL passwords with `/`, `@` and `%`, bearer tokens, webhook URLs,
/// AWS keys, SMTP passwords — and everything an operator or a peer can see
/// searched for them: stdout, stderr, JSON logs, `validate --check-connections`,
/// the ledger, and every Slack, webhook and mail payload received.
final class SecretLeakTests: XCTestCase {
    var db: TestDatabase!
    var peers: [HTTPPeer] = []
    var smtp: SMTPPeer!
    var seen: [String] = []

    static let dbPassword = "Pw/Sl@sh%x"            // as generated: '/' and '@' break a URL written raw
    static let dbPasswordEncoded = "Pw%2FSl%40sh%25x"  // the same, correctly encoded in the URL
    static let token = "tok-S3cr3t-4711"
    static let hookPath = "/services/T01/B02/HOOKSECRET99"
    static let awsSecret = "aws+Secret/Key+0123456789"
    static let smtpPassword = "smtp-Pa/ss-77"
    static var fragments: [String] {
        ["Pw/Sl", "Sl@sh", "Pw%2FSl", token, "HOOKSECRET99", awsSecret, "aws+Secret", "smtp-Pa/ss", "smtp-Pa%2Fss"]
    }

    override func setUpWithError() throws {
        db = try TestDatabase()
        smtp = try SMTPPeer()
    }

    override func tearDown() {
        peers.forEach { $0.stop() }
        smtp?.stop()
        db?.drop()
    }

    private func peer(_ routes: [String: [[String: Any]]]) throws -> HTTPPeer {
        let p = try HTTPPeer(routes: routes)
        peers.append(p)
        return p
    }

    /// The test database's URL with a password it does not need (trust auth) but must never print.
    private var databaseURLWithPassword: String {
        db.url.replacingOccurrences(of: "://postgres@", with: "://postgres:\(Self.dbPasswordEncoded)@")
    }

    private func etl(_ arguments: [String], _ environment: [String: String]) throws {
        let r = try Command.run(TestEnvironment.etlBinary, arguments, environment: environment, timeout: 90)
        seen.append("$ etl \(arguments.joined(separator: " "))\n" + r.stdout + r.stderr)
    }

    private func environment(slack: HTTPPeer, api: HTTPPeer, database: String) -> [String: String] {
        ["DATABASE_URL": database, "SLACK_WEBHOOK_URL": slack.url + Self.hookPath,
         "ERP_URL": api.url, "ERP_TOKEN": Self.token, "CRM_URL": api.url, "CRM_TOKEN": Self.token,
         "SOURCE_URL": api.url, "SOURCE_TOKEN": Self.token,
         "SMTP_URL": "smtp://mailer:\(Self.smtpPassword)@127.0.0.1:\(smtp.port)", "SMTP_USER": "mailer",
         "SMTP_PASSWORD": Self.smtpPassword, "ARCHIVE_URL": TestEnvironment.temporaryDirectory() + "/archive",
         "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": Self.awsSecret]
    }

    private func assertNothingLeaked(_ slack: HTTPPeer, file: StaticString = #filePath, line: UInt = #line) throws {
        var places = seen
        places += slack.requests().map { "slack payload: \($0["body"] as? String ?? "")" }
        places += smtp.messages().map { "mail: \($0["data"] as? String ?? "")" }
        for table in ["sync_jobs", "crm_sync_jobs", "shipment_sync_jobs", "bulk_sync_jobs"] {
            if let rows = try? db.query("SELECT coalesce(error_message, '') FROM \(table)") {
                places += rows.map { "ledger \(table): \($0.joined())" }
            }
        }
        XCTAssertFalse(places.isEmpty)
        for place in places {
            for fragment in Self.fragments {
                XCTAssertFalse(place.contains(fragment), "'\(fragment)' leaked in:\n\(place.prefix(2000))", file: file, line: line)
            }
        }
    }

    func testEveryShippedPipelineFailingAgainstItsAPIKeepsItsSecrets() throws {
        try db.seedProducts(3)
        let slack = try peer([Self.hookPath: [["status": 200, "body": "ok"]]])
        // The API fails the way a leaky upstream does: echoing the credentials it got.
        let echo: [[String: Any]] = [["status": 401, "body": "bad token \(Self.token) for \(Self.dbPassword)"]]
        let api = try peer(["/inventory": echo, "/shipments": echo, "/api/contacts": echo, "/records": echo])
        let env = environment(slack: slack, api: api, database: databaseURLWithPassword)
        for pipeline in ["inventory", "shipments", "crm-contacts", "bulk-sync"] {
            let path = TestEnvironment.repoRoot + "/pipelines/\(pipeline).yaml"
            try etl(["run", path, "--set", "source.retry.backoff=[]"], env)
            try etl(["run", path, "--set", "source.retry.backoff=[]", "--log-format", "json", "-v"], env)
            try etl(["run", path, "--dry-run", "--set", "source.retry.backoff=[]"], env)
            try etl(["validate", "--check-connections", path], env)
        }
        XCTAssertTrue(seen.joined().contains("401"), "the runs really failed on the API: \(seen.joined().prefix(3000))")
        XCTAssertFalse(slack.requests().isEmpty, "failure alerts were sent and are searched too")
        try assertNothingLeaked(slack)
    }

    func testADatabasePasswordThatBreaksItsURLNeverAppearsWhenTheDatabaseFails() throws {
        let slack = try peer([Self.hookPath: [["status": 200, "body": "ok"]]])
        let api = try peer(["/inventory": [["status": 200, "body": "[]"]]])
        // The password written raw, as generated: the URL no longer parses and libpq says so.
        let raw = db.url.replacingOccurrences(of: "://postgres@", with: "://postgres:\(Self.dbPassword)@")
        for database in [raw, "postgresql://postgres:\(Self.dbPassword)@127.0.0.1:1/etl"] {
            let env = environment(slack: slack, api: api, database: database)
            for pipeline in ["inventory", "shipments", "crm-contacts", "bulk-sync"] {
                let path = TestEnvironment.repoRoot + "/pipelines/\(pipeline).yaml"
                try etl(["run", path], env)
                try etl(["run", path, "--log-format", "json"], env)
                try etl(["validate", "--check-connections", path], env)
            }
        }
        XCTAssertTrue(seen.joined().contains("PostgreSQL error"), "the database really failed: \(seen.joined().prefix(2000))")
        try assertNothingLeaked(slack)
    }

    func testAnUnreachableS3ArchiveAndSMTPServerKeepTheirKeys() throws {
        try db.seedProducts(3)
        let slack = try peer([Self.hookPath: [["status": 200, "body": "ok"]]])
        let api = try peer(["/inventory": [["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...3))]],
                            "/records": [["status": 200, "body": #"{"data": [{"id": "r-1"}], "has_more": false}"#]]])
        var env = environment(slack: slack, api: api, database: databaseURLWithPassword)
        env["ARCHIVE_URL"] = "s3://etl-archive-bucket/raw"
        env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:1"
        env["SMTP_URL"] = "smtp://mailer:\(Self.smtpPassword)@127.0.0.1:1"
        try etl(["run", TestEnvironment.repoRoot + "/pipelines/inventory.yaml", "--set", "source.retry.backoff=[]"], env)
        try etl(["run", TestEnvironment.repoRoot + "/pipelines/bulk-sync.yaml", "--set", "source.retry.backoff=[]", "-v"], env)
        try assertNothingLeaked(slack)
    }
}
