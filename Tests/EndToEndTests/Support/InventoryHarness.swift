import Foundation
import XCTest

/// Everything one run of the shipped inventory pipeline needs, started fresh:
/// a database with products, an ERP peer, a Slack peer and an archive directory.
final class InventoryHarness {
    let db: TestDatabase
    var erp: HTTPPeer
    let slack: HTTPPeer
    let archiveDirectory: String
    var extraEnvironment: [String: String] = [:]
    static let token = "erp-secret-token-4711"
    static let slackPath = "/services/T000/B000/SECRETHOOK"

    init(products: Int = 50, erpResponses: [[String: Any]]) throws {
        db = try TestDatabase()
        try db.seedProducts(products)
        erp = try HTTPPeer(routes: ["/inventory": erpResponses])
        slack = try HTTPPeer(routes: [InventoryHarness.slackPath: [["status": 200, "body": "ok"]]])
        archiveDirectory = TestEnvironment.temporaryDirectory() + "/archive"
    }

    func replaceERP(_ responses: [[String: Any]]) throws {
        erp.stop()
        erp = try HTTPPeer(routes: ["/inventory": responses])
    }

    var environment: [String: String] {
        var env = ["ERP_URL": erp.url, "ERP_TOKEN": InventoryHarness.token, "DATABASE_URL": db.url,
                   "ARCHIVE_URL": archiveDirectory, "SLACK_WEBHOOK_URL": slack.url + InventoryHarness.slackPath,
                   "ETL_WATCHDOG_INTERVAL": "0.2"]
        for (k, v) in extraEnvironment { env[k] = v }
        return env
    }

    /// Short backoff so retry tests take milliseconds, as an operator would with --set.
    static let fastRetry = ["--set", "source.retry.backoff=[0.05s, 0.05s, 0.05s]"]

    func run(_ extra: [String] = [], timeout: Double = 60) throws -> CommandResult {
        try Command.run(TestEnvironment.etlBinary, ["run", TestEnvironment.repoRoot + "/pipelines/inventory.yaml"] + InventoryHarness.fastRetry + extra,
                        environment: environment, timeout: timeout)
    }

    func start(_ extra: [String] = []) throws -> RunningCommand {
        try Command.start(TestEnvironment.etlBinary, ["run", TestEnvironment.repoRoot + "/pipelines/inventory.yaml"] + InventoryHarness.fastRetry + extra,
                          environment: environment)
    }

    func stop() { erp.stop(); slack.stop(); db.drop() }

    /// [sku: (in_stock, is_discontinued, discontinued_at set)]
    func inventory() throws -> [String: (Int, Bool, Bool)] {
        var out: [String: (Int, Bool, Bool)] = [:]
        for row in try db.query("""
            SELECT p.sku, i.in_stock, i.is_discontinued, i.discontinued_at IS NOT NULL
            FROM inventory i JOIN products p ON p.id = i.product_id
            """) {
            out[row[0]] = (Int(row[1]) ?? -1, row[2] == "t", row[3] == "t")
        }
        return out
    }

    /// The newest ledger row as column → text.
    func lastJob() throws -> [String: String] {
        let cols = ["id", "status", "skus_processed", "items_changed", "api_latency_ms", "error_message", "s3_backup_path",
                    "skus_rejected", "completed_at"]
        guard let row = try db.query("SELECT \(cols.map { "coalesce(\($0)::text, '')" }.joined(separator: ", ")) FROM sync_jobs ORDER BY id DESC LIMIT 1").first else { return [:] }
        return Dictionary(uniqueKeysWithValues: zip(cols, row))
    }

    static func payload(_ items: [(String, Any)], discontinued: [String: Bool] = [:]) -> String {
        let objects = items.map { sku, qty -> String in
            var parts = ["\"sku\": \"\(sku)\"", "\"qty\": \(qty)"]
            if let d = discontinued[sku] { parts.append("\"discontinued\": \(d)") }
            return "{" + parts.joined(separator: ", ") + "}"
        }
        return "[" + objects.joined(separator: ",\n") + "]"
    }

    static func skus(_ range: ClosedRange<Int>, qty: (Int) -> Int = { $0 }) -> [(String, Any)] {
        range.map { (String(format: "SKU-%05d", $0), qty($0)) }
    }
}
