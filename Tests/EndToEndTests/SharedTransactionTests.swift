import Foundation
import XCTest

/// Several postgres sinks on one database share one transaction: no sink waits
/// on another's uncommitted rows, and either all of them commit or none.
final class SharedTransactionTests: XCTestCase {
    func pipeline(_ dir: String, _ records: String, deletedColumn: String = "deleted_at") throws -> String {
        try records.write(toFile: dir + "/people.json", atomically: true, encoding: .utf8)
        let yaml = """
            name: people
            source: {type: file, path: people.json}
            transforms:
              - type: route
                routes:
                  - {name: gone, when: event == "deleted"}
                default: upsert
            sinks:
              - {type: postgres, route: upsert, database: "${DATABASE_URL}", table: people, key: [id], columns: {id: id, name: name}}
              - {type: postgres, route: gone, database: "${DATABASE_URL}", table: people, mode: soft_delete, key: [id], columns: {id: id}, deleted_column: \(deletedColumn)}
            """
        try yaml.write(toFile: dir + "/people.yaml", atomically: true, encoding: .utf8)
        return dir + "/people.yaml"
    }

    func testUpsertAndSoftDeleteOfTheSameRowInOneRunDoNotBlockEachOther() throws {
        let db = try TestDatabase()
        defer { db.drop() }
        try db.query("CREATE TABLE people (id int PRIMARY KEY, name text, deleted_at timestamp)")
        try db.query("INSERT INTO people VALUES (1, 'old', NULL)")
        let dir = TestEnvironment.temporaryDirectory()
        let file = try pipeline(dir, #"[{"id":1,"name":"Ada","event":"updated"},{"id":2,"name":"Bob","event":"created"},{"id":1,"event":"deleted"}]"#)
        let r = try Command.run(TestEnvironment.etlBinary, ["run", file], environment: ["DATABASE_URL": db.url], timeout: 30)
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(try db.query("SELECT id, name, deleted_at IS NOT NULL FROM people ORDER BY id"), [["1", "Ada", "t"], ["2", "Bob", "f"]])
    }

    func testAFailingSecondSinkRollsBackTheFirst() throws {
        let db = try TestDatabase()
        defer { db.drop() }
        try db.query("CREATE TABLE people (id int PRIMARY KEY, name text, deleted_at timestamp)")
        let dir = TestEnvironment.temporaryDirectory()
        let file = try pipeline(dir, #"[{"id":1,"name":"Ada","event":"created"},{"id":2,"event":"deleted"}]"#, deletedColumn: "removed_on")
        let r = try Command.run(TestEnvironment.etlBinary, ["run", file], environment: ["DATABASE_URL": db.url], timeout: 30)
        XCTAssertEqual(r.exitCode, 1, r.output)
        XCTAssertTrue(r.stderr.contains("removed_on"), r.stderr)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM people"), "0")
    }
}
