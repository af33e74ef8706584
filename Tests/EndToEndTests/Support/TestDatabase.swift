import Foundation
import XCTest

/// A fresh database per test on the suite's PostgreSQL, inspected with psql
/// (not with etl's own database layer, so the assertions are independent of it).
final class TestDatabase {
    let name: String
    let url: String
    private let adminURL: String

    init() throws {
        adminURL = try TestEnvironment.databaseURL()
        name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try TestDatabase.psql(adminURL, "CREATE DATABASE \(name)")
        url = TestDatabase.replaceDatabase(in: adminURL, with: name)
    }

    func drop() {
        _ = try? TestDatabase.psql(adminURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Runs SQL; returns rows as arrays of text (unaligned, `|`-separated).
    @discardableResult
    func query(_ sql: String) throws -> [[String]] {
        try TestDatabase.psql(url, sql)
    }

    func scalar(_ sql: String) throws -> String {
        try query(sql).first?.first ?? ""
    }

    /// Writes `files` (name → contents) and the pipeline into `directory`, then runs
    /// `etl run` on the pipeline with DATABASE_URL pointing at this database.
    func runPipeline(_ yaml: String, named name: String, files: [String: String], in directory: String,
                     timeout: Double = 30) throws -> CommandResult {
        for (file, contents) in files {
            try contents.write(toFile: directory + "/" + file, atomically: true, encoding: .utf8)
        }
        try yaml.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        return try Command.run(TestEnvironment.etlBinary, ["run", directory + "/" + name],
                               environment: ["DATABASE_URL": url], timeout: timeout)
    }

    @discardableResult
    static func psql(_ url: String, _ sql: String) throws -> [[String]] {
        let r = try Command.run("/usr/bin/env", ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
        guard r.exitCode == 0 else {
            throw NSError(domain: "psql", code: Int(r.exitCode), userInfo: [NSLocalizedDescriptionKey: "psql failed: \(r.stderr)\nSQL: \(sql)"])
        }
        return r.stdout.split(separator: "\n", omittingEmptySubsequences: true).map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }

    static func replaceDatabase(in url: String, with name: String) -> String {
        guard let slash = url.range(of: "/", options: .backwards, range: url.range(of: "://")!.upperBound..<url.endIndex) else {
            return url + "/" + name
        }
        let rest = url[slash.upperBound...]
        let query = rest.firstIndex(of: "?").map { String(rest[$0...]) } ?? ""
        return String(url[..<slash.upperBound]) + name + query
    }

    /// The sample shop catalogue: products SKU-00001 … SKU-0000N.
    func seedProducts(_ count: Int) throws {
        try query("""
            CREATE TABLE IF NOT EXISTS products (id SERIAL PRIMARY KEY, sku VARCHAR(64) NOT NULL UNIQUE, name TEXT NOT NULL,
              price NUMERIC(10,2) NOT NULL DEFAULT 0, description TEXT,
              created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
            INSERT INTO products (sku, name) SELECT 'SKU-' || lpad(i::text, 5, '0'), 'Product ' || i FROM generate_series(1, \(count)) i
            ON CONFLICT DO NOTHING;
            """)
    }
}
