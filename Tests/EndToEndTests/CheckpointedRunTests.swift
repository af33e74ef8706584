import Foundation
import XCTest

/// `commit: batch`: each source batch commits with its cursor; a failure keeps
/// what committed before it and the ledger says how far the run got.
final class CheckpointedRunTests: XCTestCase {
    var db: TestDatabase!
    var directory = ""

    override func setUpWithError() throws {
        db = try TestDatabase()
        directory = TestEnvironment.temporaryDirectory()
    }

    override func tearDown() {
        db?.drop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func run(commit: String) throws -> CommandResult {
        // Batches of 2; the fifth record repeats an id: its batch fails on the primary key.
        let records = (1...7).map { #"{"id": \#($0 == 5 ? 1 : $0), "name": "n\#($0)"}"# }
        try ("[" + records.joined(separator: ",\n") + "]").write(toFile: directory + "/in.json", atomically: true, encoding: .utf8)
        try """
        name: checkpointed
        database: ${DATABASE_URL}
        batch_size: 2
        commit: \(commit)
        ledger: {table: runs, columns: {written: records_written}}
        source: {type: file, path: in.json}
        sink:
          type: postgres
          database: ${DATABASE_URL}
          table: people
          mode: insert
          columns: {id: id, name: name}
        """.write(toFile: directory + "/p.yaml", atomically: true, encoding: .utf8)
        return try Command.run(TestEnvironment.etlBinary, ["run", directory + "/p.yaml"],
                               environment: ["DATABASE_URL": db.url], timeout: 60)
    }

    func testABatchThatFailsKeepsTheBatchesCommittedBeforeItAndTheLedgerSaysSo() throws {
        try db.query("CREATE TABLE people (id int PRIMARY KEY, name text)")
        let r = try run(commit: "batch")
        XCTAssertEqual(r.exitCode, 1, r.output)
        XCTAssertEqual(try db.query("SELECT id FROM people ORDER BY id"), [["1"], ["2"], ["3"], ["4"]],
                       "the two batches before the failing one stay committed")
        XCTAssertEqual(try db.query("SELECT status, written FROM runs"), [["failed", "4"]], "the ledger counts what committed")
    }

    func testTheSameFailureWithCommitRunLeavesNothing() throws {
        try db.query("CREATE TABLE people (id int PRIMARY KEY, name text)")
        let r = try run(commit: "run")
        XCTAssertEqual(r.exitCode, 1, r.output)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM people"), "0")
        XCTAssertEqual(try db.query("SELECT status, written FROM runs"), [["failed", "0"]])
    }
}
