import Foundation
import XCTest

/// `etl test`: the shipped pipelines' tests pass, a wrong expectation fails with a
/// diff and exit 1, an unstubbed outbound stage and a bad test file are refused.
final class PipelineTestCommandTests: XCTestCase {
    var directory = ""

    override func setUp() { directory = TestEnvironment.temporaryDirectory() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    private func etl(_ arguments: [String]) throws -> CommandResult {
        // No DATABASE_URL, no API: the tests touch nothing external.
        try Command.run("/usr/bin/env", ["-u", "DATABASE_URL", TestEnvironment.etlBinary] + arguments, directory: TestEnvironment.repoRoot)
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testShippedPipelinesHaveTestsAndTheyPass() throws {
        let r = try etl(["test", "pipelines/"])
        XCTAssertEqual(r.exitCode, 0, r.output)
        for pipeline in ["inventory-sync", "crm-contacts", "shipments-sync", "bulk-sync", "crm-outbound", "inventory-fanout"] {
            XCTAssertTrue(r.stdout.contains("PASS \(pipeline): "), "\(pipeline) has tests: \(r.stdout)")
        }
        XCTAssertFalse(r.stdout.contains("FAIL"), r.stdout)
        let one = try etl(["test", "pipelines/inventory.yaml"])
        XCTAssertEqual(one.exitCode, 0, one.output)
        XCTAssertTrue(one.stdout.hasSuffix("2 cases: 2 passed, 0 failed\n"), one.stdout)
    }

    func testAWrongExpectationFailsWithADiff() throws {
        let path = try write("inventory.test.yaml", """
            pipeline: \(TestEnvironment.repoRoot)/pipelines/inventory.yaml
            cases:
              - name: wrong quantity
                input: [{sku: SKU-1, qty: 45}, {sku: "", qty: 1}]
                expect:
                  records: [{sku: SKU-1, qty: 40, discontinued: false}]
                  rejects: [{record: 1, reason: qty}]
              - name: right
                input: [{sku: SKU-1, qty: 45}]
                expect: {records: [{sku: SKU-1, qty: 45, discontinued: false}]}
            """)
        let r = try etl(["test", path])
        XCTAssertEqual(r.exitCode, 1, r.output)
        XCTAssertTrue(r.stdout.contains("FAIL inventory-sync: wrong quantity (\(path):3:5)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("  record 1: qty: expected 40, got 45"), r.stdout)
        XCTAssertTrue(r.stdout.contains("  reject 1: expected input record 1, got 2"), r.stdout)
        XCTAssertTrue(r.stdout.contains("PASS inventory-sync: right"), r.stdout)
        XCTAssertTrue(r.stdout.contains("2 cases: 1 passed, 1 failed"), r.stdout)
    }

    func testAnOutboundStageMustBeStubbed() throws {
        let path = try write("outbound.test.yaml", """
            pipeline: \(TestEnvironment.repoRoot)/pipelines/crm-outbound.yaml
            cases:
              - name: no stub
                input: [{id: 1, email: a@b.c}]
                expect: {records: []}
            """)
        let r = try etl(["test", path])
        XCTAssertEqual(r.exitCode, 2, r.output)
        XCTAssertTrue(r.stderr.contains("transforms[0] (http) would call another system; stub it"), r.stderr)
    }

    func testABadTestFileNamesTheLine() throws {
        let path = try write("bad.test.yaml", """
            pipeline: \(TestEnvironment.repoRoot)/pipelines/inventory.yaml
            cases:
              - name: typo
                input: [{sku: A, qty: 1}]
                expcet: {records: []}
            """)
        let r = try etl(["test", path])
        XCTAssertEqual(r.exitCode, 2, r.output)
        XCTAssertTrue(r.stderr.contains("\(path):5:5: error: unknown key 'expcet' in case 'typo'"), r.stderr)
        XCTAssertTrue(r.stderr.contains("did you mean 'expect'?"), r.stderr)
    }
}
