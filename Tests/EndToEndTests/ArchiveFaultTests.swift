import Foundation
import XCTest

/// Archive faults: retention that must only delete our own payloads, an archive
/// path that cannot be created, and a payload that arrived cut off.
final class ArchiveFaultTests: XCTestCase {
    var harness: InventoryHarness!

    override func tearDown() { harness?.stop() }

    private func put(_ relative: String, daysOld: Double) throws -> String {
        let path = harness.archiveDirectory + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-daysOld * 86_400)], ofItemAtPath: path)
        return path
    }

    func testRetentionWithoutAFixedKeyPrefixDeletesOnlyOurPayloadsAndSaysWhich() throws {
        harness = try InventoryHarness(products: 3, erpResponses: [["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...3))]])
        let ours = try put("2026/01/02/inventory_020000.json", daysOld: 40)
        let notOurs = [try put("2026/01/02/orders_020000.json", daysOld: 40), try put("finance/ledger.csv", daysOld: 400),
                       try put("2026/01/02/inventory_020000.json.bak", daysOld: 40)]
        let r = try harness.run(["-v", "--set", "source.archive.key=%Y/%m/%d/inventory_%H%M%S.json"])
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: ours), "our expired payload is deleted")
        for path in notOurs { XCTAssertTrue(FileManager.default.fileExists(atPath: path), "\(path) is not ours and must stay") }
        XCTAssertTrue(r.stderr.contains("archive retention: deleted \(ours)"), r.stderr)
    }

    func testValidateWarnsAboutAnArchiveKeyWithoutAFixedPrefix() throws {
        let dir = TestEnvironment.temporaryDirectory()
        var text = try String(contentsOfFile: TestEnvironment.repoRoot + "/pipelines/inventory.yaml", encoding: .utf8)
        text = text.replacingOccurrences(of: "key: inventory-sync/%Y-%m-%d/inventory_%Y%m%d_%H%M%S.json", with: "key: \"%Y/%m/%d/inventory_%H%M%S.json\"")
        text = text.replacingOccurrences(of: "../sql/inventory.sql", with: TestEnvironment.repoRoot + "/sql/inventory.sql")
        try text.write(toFile: dir + "/inventory.yaml", atomically: true, encoding: .utf8)
        let env = ["ERP_URL": "http://127.0.0.1:9", "ERP_TOKEN": "t", "DATABASE_URL": "postgresql://localhost/x", "ARCHIVE_URL": dir + "/archive",
                   "SLACK_WEBHOOK_URL": "http://127.0.0.1:9/hook"]
        let r = try Command.run(TestEnvironment.etlBinary, ["validate", dir + "/inventory.yaml"], environment: env)
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertTrue(r.stdout.contains("has no fixed prefix"), r.stdout)
        XCTAssertTrue(r.stdout.contains("1 warning"), r.stdout)
        // The shipped pipeline has a fixed prefix: no such warning.
        let shipped = try Command.run(TestEnvironment.etlBinary, ["validate", TestEnvironment.repoRoot + "/pipelines/inventory.yaml"], environment: env)
        XCTAssertFalse(shipped.stdout.contains("has no fixed prefix"), shipped.stdout)
    }

    func testArchiveUnderARegularFileFailsTheRunNamingThePath() throws {
        harness = try InventoryHarness(products: 3, erpResponses: [["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...3))]])
        let blocker = TestEnvironment.temporaryDirectory() + "/not-a-dir"
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        harness.extraEnvironment["ARCHIVE_URL"] = blocker + "/archive"
        let r = try harness.run()
        XCTAssertEqual(r.exitCode, 1, r.output)
        XCTAssertTrue(r.stderr.contains("\(blocker) is a file, not a directory"), r.stderr)
        XCTAssertFalse(r.stderr.contains("NSCocoaErrorDomain"), r.stderr)
        XCTAssertEqual(try harness.lastJob()["status"], "failed")
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM inventory"), "0")
    }

    func testCutOffBodyWithoutContentLengthIsArchivedMarkedFailed() throws {
        let full = InventoryHarness.payload(InventoryHarness.skus(1...3))
        let cut = String(full.prefix(full.count / 2))
        harness = try InventoryHarness(products: 3, erpResponses: [["status": 200, "body": cut, "no_length": true]])
        let r = try harness.run()
        XCTAssertEqual(r.exitCode, 1, r.output)
        let job = try harness.lastJob()
        XCTAssertEqual(job["status"], "failed")
        let path = try XCTUnwrap(job["s3_backup_path"])
        XCTAssertTrue(path.hasSuffix(".json.failed"), "the ledger points at the marked copy: \(path)")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), cut, "kept exactly as received")
        XCTAssertFalse(FileManager.default.fileExists(atPath: String(path.dropLast(".failed".count))), "no unmarked copy")
        XCTAssertTrue(job["error_message"]?.contains(path) == true, job["error_message"] ?? "")
        XCTAssertEqual(try harness.db.scalar("SELECT count(*) FROM inventory"), "0")
    }
}
