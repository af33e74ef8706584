import XCTest
import Foundation
@testable import ETLCore

/// The sweep of directories left by killed runs reads TMPDIR's names as bytes: the names
/// it takes for run directories, and the directories it removes, are checked here.
final class RunTemporaryFilesTests: XCTestCase {
    func testOnlyRunDirectoryNamesGiveAnOwner() {
        XCTAssertEqual(RunTemporaryFiles.ownerPID(of: "etl-20260101T000000Z-0000abcd-p4242.AbCdEf"), 4242)
        XCTAssertEqual(RunTemporaryFiles.ownerPID(of: "etl-run_with_odd_chars-p1.x"), 1)
        // The last `-p` before the last `.` counts, as when the names were parsed as Strings.
        XCTAssertEqual(RunTemporaryFiles.ownerPID(of: "etl-a-p12-p34.xyz123"), 34)
        XCTAssertEqual(RunTemporaryFiles.ownerPID(of: "etl-x-p2147483647.AAAAAA"), Int32.max)

        for other in ["etl-e2e-1A2B3C", "etl-http-peer-9f8e7d", "etl-archive-0161CF6C", "etl-fuzz-pipeline-3.yaml",
                      "etl-x-p.abc", "etl-x-p0.abc", "etl-x-p12x.abc", "etl-x-p12.ab.cd", "etl-x-pa.abc", "etl-x-p+12.abc",
                      "etl-x-p2147483648.abc", "etl-x-p99999999999.abc", "etl-p12.abc".replacingOccurrences(of: "etl-", with: "tmp-"),
                      "etl-", "etl", "", "xetl-a-p12.abc", ".", ".."] {
            XCTAssertNil(RunTemporaryFiles.ownerPID(of: other), other)
        }
    }

    func testStaleRunDirectoriesGoAndEverythingElseStays() throws {
        let base = NSTemporaryDirectory() + "run-temporary-files-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        // No process has this id (above any pid_max); the test process is alive.
        let names = ["etl-20260101T000000Z-00000000-p2147483646.AbCdEf", "etl-20260101T000000Z-00000001-p\(getpid()).AbCdEf",
                     "etl-e2e-1A2B3C", "unrelated-p2147483646.AbCdEf"]
        for name in names {
            try FileManager.default.createDirectory(atPath: base + "/" + name, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: base + "/" + name + "/http-body-p1", contents: Data("[]".utf8))
        }

        RunTemporaryFiles.removeStale(in: base)

        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: base).sorted(), Array(names.dropFirst()).sorted())
    }
}
