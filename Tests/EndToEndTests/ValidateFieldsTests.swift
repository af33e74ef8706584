import Foundation
import XCTest

/// `etl validate` following the source's known fields through the transforms, the
/// sink's columns checked against the table, and a filter that drops everything.
final class ValidateFieldsTests: XCTestCase {
    var directory = ""
    var db: TestDatabase?

    override func setUp() { directory = TestEnvironment.temporaryDirectory() }
    override func tearDown() {
        db?.drop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testACSVHeaderCatchesMisspelledFieldsWithSuggestions() throws {
        _ = try write("stock.csv", "sku,qty,name\nA,1,x\n")
        let path = try write("csv.yaml", """
            name: csv-check
            source: {type: file, path: stock.csv, format: csv}
            transforms:
              - type: validate
                rules:
                  sku: {required: true}
                  qyt: {type: int}
              - type: map
                replace: true
                fields:
                  code: sku
                  label: upper(nme)
              - type: filter
                when: code != "" and qty != ""
            sink: {type: stdout}
            """)
        let r = try Command.run(TestEnvironment.etlBinary, ["validate", path])
        XCTAssertEqual(r.exitCode, 2, r.output)
        XCTAssertTrue(r.stdout.contains("\(path):7:12: error: transforms[0] (validate): rule names field 'qyt', which no earlier stage produces"), r.stdout)
        XCTAssertTrue(r.stdout.contains("did you mean 'qty'?"), r.stdout)
        XCTAssertTrue(r.stdout.contains("\(path):12:14: error: transforms[1] (map): field label names field 'nme'"), r.stdout)
        XCTAssertTrue(r.stdout.contains("did you mean 'name'?"), r.stdout)
        // After `replace: true` only the mapped fields exist: qty is gone.
        XCTAssertTrue(r.stdout.contains("transforms[2] (filter): when names field 'qty'"), r.stdout)
        XCTAssertTrue(r.stdout.contains("fields here, from transforms[1] (map): code, label"), r.stdout)
        XCTAssertTrue(r.stdout.contains("3 errors"), r.stdout)

        let fixed = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "qyt", with: "qty")
            .replacingOccurrences(of: "nme", with: "name").replacingOccurrences(of: "qty != \"\"", with: "label != \"\"")
        try fixed.write(toFile: path, atomically: true, encoding: .utf8)
        let ok = try Command.run(TestEnvironment.etlBinary, ["validate", path])
        XCTAssertEqual(ok.exitCode, 0, ok.output)
    }

    func testAManifestsDeclaredFieldsAreFollowed() throws {
        let path = try write("manifest.yaml", """
            name: manifest-fields
            source: {type: erp-inventory, base_url: "http://127.0.0.1:1", token: t0ken-123, archive_url: \(directory)/archive}
            transforms:
              - type: validate
                rules:
                  sku: {required: true}
                  quantity: {type: int, min: 0}
            sink: {type: stdout}
            """)
        let env = ["ETL_CONNECTORS_PATH": TestEnvironment.repoRoot + "/connectors"]
        let r = try Command.run(TestEnvironment.etlBinary, ["validate", path], environment: env)
        XCTAssertEqual(r.exitCode, 2, r.output)
        XCTAssertTrue(r.stdout.contains("transforms[0] (validate): rule names field 'quantity', which no earlier stage produces"), r.stdout)
        XCTAssertTrue(r.stdout.contains("fields here, from the erp-inventory source: sku, qty, discontinued"), r.stdout)
        XCTAssertFalse(r.output.contains("t0ken-123"), r.output)
    }

    func testCheckConnectionsFollowsAQuerysColumnsAndTheSinkTable() throws {
        let db = try TestDatabase()
        self.db = db
        try db.query("""
            CREATE TABLE orders (id bigint PRIMARY KEY, total numeric, updated_at timestamptz);
            CREATE TABLE order_copy (id bigint PRIMARY KEY, total numeric);
            """)
        let path = try write("pg.yaml", """
            name: pg-check
            source:
              type: postgres
              database: ${DATABASE_URL}
              query: SELECT id, total FROM orders
            transforms:
              - type: filter
                when: totl > 0
            sink:
              type: postgres
              database: ${DATABASE_URL}
              table: order_copy
              key: [id]
              columns: {id: id, totals: total}
            """)
        let env = ["DATABASE_URL": db.url]
        let plain = try Command.run(TestEnvironment.etlBinary, ["validate", path], environment: env)
        XCTAssertEqual(plain.exitCode, 0, "without --check-connections the query is not asked: \(plain.output)")
        let r = try Command.run(TestEnvironment.etlBinary, ["validate", "--check-connections", path], environment: env)
        XCTAssertEqual(r.exitCode, 2, r.output)
        XCTAssertTrue(r.stdout.contains("transforms[0] (filter): when names field 'totl'"), r.stdout)
        XCTAssertTrue(r.stdout.contains("did you mean 'total'?"), r.stdout)
        XCTAssertTrue(r.stdout.contains("table order_copy has no column 'totals'"), r.stdout)
        XCTAssertFalse(r.output.contains(db.url), "the database URL stays out")
    }

    func testAFilterThatDropsEveryRecordIsAWarningInTheSummary() throws {
        _ = try write("in.json", #"[{"sku":"A","qty":1},{"sku":"B","qty":2}]"#)
        let path = try write("drop.yaml", """
            name: drop-all
            source: {type: file, path: in.json}
            transforms:
              - type: filter
                when: quantity > 0
            sink: {type: file, path: out.ndjson}
            """)
        let r = try Command.run(TestEnvironment.etlBinary, ["run", path])
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertTrue(r.stderr.contains("warning: transforms[0] (filter) dropped all 2 records it was given (when: quantity > 0)"), r.stderr)
        XCTAssertTrue(r.stderr.contains("warning=\"transforms[0] dropped every record\"") || r.stderr.contains("warning=transforms[0] dropped every record"), r.stderr)

        // An empty input is not a warning.
        _ = try write("in.json", "[]")
        let empty = try Command.run(TestEnvironment.etlBinary, ["run", path])
        XCTAssertEqual(empty.exitCode, 0, empty.output)
        XCTAssertFalse(empty.stderr.contains("dropped all"), empty.stderr)
    }
}
