import Foundation
import XCTest

/// Errors stay short and never copy files: a setup "SQL" file that is not SQL
/// is quoted only around the error, and a 100k-digit number does not become a
/// 100 KB ledger row, log line or Slack post.
final class ErrorMessageTests: XCTestCase {
    var harness: InventoryHarness!

    override func tearDown() { harness?.stop() }

    func testSetupFileThatIsNotSQLIsQuotedOnlyAroundTheError() throws {
        harness = try InventoryHarness(products: 3, erpResponses: [["status": 200, "body": "[]"]])
        let dir = TestEnvironment.temporaryDirectory()
        let file = dir + "/passwd"
        try """
            root:x:0:0:root:/root:/bin/bash
            daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
            backup:x:34:34:backup:/var/backups:/usr/sbin/nologin
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try harness.run(["--set", "setup=[\(file)]"])
        XCTAssertEqual(r.exitCode, 1, r.output)
        XCTAssertTrue(r.stderr.contains("setup SQL \(file) failed at line 1, column 1"), r.stderr)
        for line in ["daemon:x:1:1", "backup:x:34", "/usr/sbin/nologin"] {
            XCTAssertFalse(r.output.contains(line), "the file's contents leaked: \(line)\n\(r.output)")
        }
        for post in harness.slack.bodies(path: InventoryHarness.slackPath) { XCTAssertFalse(post.contains("daemon:x"), post) }
    }

    func testAHundredThousandDigitNumberGivesCappedMessagesEverywhere() throws {
        let digits = String(repeating: "7", count: 100_000)
        harness = try InventoryHarness(products: 3, erpResponses: [["status": 200, "body": "[{\"sku\": \"SKU-00001\", \"qty\": \(digits)x}]"]])
        let r = try harness.run()
        XCTAssertEqual(r.exitCode, 1, r.output)
        // The message is cut at 2 KB; the run's counters follow it on the same line.
        for line in r.stderr.split(separator: "\n") { XCTAssertLessThan(line.utf8.count, 2_600, String(line.prefix(200))) }
        XCTAssertTrue(r.stderr.contains("[message cut: "), String(r.stderr.prefix(3000)))
        let error = try XCTUnwrap(harness.lastJob()["error_message"])
        XCTAssertLessThan(error.utf8.count, 2_300)
        XCTAssertTrue(error.contains("[message cut: "), String(error.suffix(100)))
        let posts = harness.slack.bodies(path: InventoryHarness.slackPath)
        XCTAssertEqual(posts.count, 1)
        // Title and text each carry the (capped) error.
        for post in posts { XCTAssertLessThan(post.utf8.count, 5_000) }
    }
}
