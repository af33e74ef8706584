import Foundation
import XCTest

/// Memory follows the payload no more: the body is spooled to a file, archived
/// from there and parsed mapped; a record over `max_record_size` is a reject,
/// never a payload-sized allocation; the spool files go when the run ends.
final class LargePayloadTests: XCTestCase {
    var harness: InventoryHarness!

    override func tearDown() { harness?.stop() }

    /// `{"sku": "SKU-00002xxxx…", "qty": 2}` spanning about `bytes` bytes.
    private static func hugeRecord(_ n: Int, bytes: Int) -> String {
        "{\"sku\": \"" + String(format: "SKU-%05d", n) + String(repeating: "x", count: bytes) + "\", \"qty\": \(n)}"
    }

    func testARecordOverMaxRecordSizeIsRejectedWithAnExcerptAndTheRunGoesOn() throws {
        let body = "[" + [InventoryHarness.payload(InventoryHarness.skus(1...1)).dropFirst().dropLast(),
                          Substring(Self.hugeRecord(2, bytes: 2 << 20)),
                          InventoryHarness.payload(InventoryHarness.skus(3...4)).dropFirst().dropLast()].joined(separator: ",\n") + "]"
        harness = try InventoryHarness(products: 4, erpResponses: [["status": 200, "body": body]])
        let r = try harness.run(["--set", "source.max_record_size=1MiB"])
        XCTAssertEqual(r.exitCode, 0, r.output)
        let inv = try harness.inventory()
        XCTAssertEqual(Set(inv.keys), ["SKU-00001", "SKU-00003", "SKU-00004"], "the records around the big one are written")
        let job = try harness.lastJob()
        XCTAssertEqual(job["status"], "completed")
        XCTAssertEqual(job["skus_rejected"], "1")
        // The reject names the record and its size, and quotes only the start of it.
        let line = try XCTUnwrap(r.stderr.split(separator: "\n").first { $0.contains("rejected by source") }, r.stderr)
        XCTAssertTrue(line.contains("record 2 (the 2nd from the source)"), String(line))
        XCTAssertTrue(line.contains("2.0 MiB, over max_record_size (1 MiB)"), String(line))
        XCTAssertTrue(line.contains("it starts with {\"sku\": \"SKU-00002xxx"), String(line))
        XCTAssertTrue(line.contains("…"), String(line))
        XCTAssertLessThan(line.utf8.count, 1024, "an excerpt, not the record")
        // The archive still holds the body exactly as received, big record and all.
        XCTAssertEqual(try String(contentsOfFile: try XCTUnwrap(job["s3_backup_path"]), encoding: .utf8), body)
    }

    func testLargePayloadMemoryStaysBounded() throws {
        // 64 MiB in one record (over the default 16 MiB cap) and 99,998 ordinary ones, read
        // through file://. Held in memory as before, this peaked at 365 MB; spooled and mapped, at about 60.
        let dir = TestEnvironment.temporaryDirectory()
        let path = dir + "/inventory"
        FileManager.default.createFile(atPath: path, contents: nil)
        let out = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        out.write(Data("[".utf8))
        out.write(Data(Self.hugeRecord(1, bytes: 64 << 20).utf8))
        var chunk = ""
        for n in 2...99_999 {
            chunk += String(format: ",\n{\"sku\": \"SKU-%05d\", \"qty\": %d}", n, n % 500)
            if chunk.utf8.count > 1 << 20 { out.write(Data(chunk.utf8)); chunk = "" }
        }
        out.write(Data((chunk + "]\n").utf8))
        try out.close()

        harness = try InventoryHarness(products: 99_999, erpResponses: [["status": 500]])
        harness.extraEnvironment["ERP_URL"] = "file://" + dir
        let (r, peakKB) = try runMeasuringPeakRSS(harness)
        XCTAssertEqual(r.exitCode, 0, r.output)
        let job = try harness.lastJob()
        XCTAssertEqual(job["skus_rejected"], "1", r.output)
        XCTAssertEqual(job["skus_processed"], "99998", r.output)
        XCTAssertTrue(r.stderr.contains("64.0 MiB, over max_record_size (16 MiB)"), r.stderr)
        // Generous: the exact figures are scripts/bench-memory's business.
        XCTAssertLessThan(peakKB, 150 * 1024, "peak RSS \(peakKB / 1024) MB for a 67 MB payload")
    }

    func testNoTemporaryFilesAreLeftAfterSuccessOrFailure() throws {
        let good = InventoryHarness.payload(InventoryHarness.skus(1...5))
        harness = try InventoryHarness(products: 5, erpResponses: [["status": 200, "body": good]])
        let tmp = TestEnvironment.temporaryDirectory() + "/tmpdir"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        harness.extraEnvironment["TMPDIR"] = tmp
        func leftovers() throws -> [String] { try FileManager.default.subpathsOfDirectory(atPath: tmp) }

        let ok = try harness.run()
        XCTAssertEqual(ok.exitCode, 0, ok.output)
        XCTAssertEqual(try leftovers(), [], "after a success")
        // A dry run archives nothing: the spool file is read where it is, then removed.
        let dry = try harness.run(["--dry-run"])
        XCTAssertEqual(dry.exitCode, 0, dry.output)
        XCTAssertEqual(try leftovers(), [], "after a dry run")

        // Cut off (Content-Length says more): retried, then failed.
        try harness.replaceERP([["status": 200, "body": good, "truncate": true]])
        let cut = try harness.run()
        XCTAssertEqual(cut.exitCode, 1, cut.output)
        XCTAssertEqual(try leftovers(), [], "after a failed transfer")

        // Not JSON: archived marked failed, and nothing left behind.
        try harness.replaceERP([["status": 200, "body": "[{\"sku\": \"SKU-00001\", \"qty\": 1}, oops]"]])
        let bad = try harness.run()
        XCTAssertEqual(bad.exitCode, 1, bad.output)
        XCTAssertTrue(try harness.lastJob()["s3_backup_path"]?.hasSuffix(".failed") == true)
        XCTAssertEqual(try leftovers(), [], "after an unreadable payload")
    }

    func testADirectoryLeftByAKilledRunIsRemovedByTheNextRun() throws {
        harness = try InventoryHarness(products: 3, erpResponses: [["status": 200, "body": InventoryHarness.payload(InventoryHarness.skus(1...3))]])
        let tmp = TestEnvironment.temporaryDirectory() + "/tmpdir"
        // No process has this id (it is above any pid_max); this test process is alive.
        let stale = tmp + "/etl-20260101T000000Z-00000000-p2147483646.AbCdEf"
        let live = tmp + "/etl-20260101T000000Z-00000001-p\(getpid()).AbCdEf"
        for dir in [stale, live] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: dir + "/http-body-p1", contents: Data("[]".utf8))
        }
        harness.extraEnvironment["TMPDIR"] = tmp
        let r = try harness.run()
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale), "its process is gone")
        XCTAssertTrue(FileManager.default.fileExists(atPath: live + "/http-body-p1"), "a running process's files are left alone")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp), [(live as NSString).lastPathComponent])
    }

    /// Runs the pipeline under a python parent that reports its only child's peak RSS (KB).
    private func runMeasuringPeakRSS(_ harness: InventoryHarness) throws -> (CommandResult, Int) {
        let report = TestEnvironment.temporaryDirectory() + "/maxrss"
        let script = """
            import resource, subprocess, sys
            code = subprocess.call(sys.argv[2:])
            open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
            sys.exit(code)
            """
        let r = try Command.run("/usr/bin/env", ["python3", "-c", script, report, TestEnvironment.etlBinary, "run",
                                                 TestEnvironment.repoRoot + "/pipelines/inventory.yaml"],
                                environment: harness.environment, timeout: 300)
        let kb = Int(try String(contentsOfFile: report, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? .max
        return (r, kb)
    }
}
