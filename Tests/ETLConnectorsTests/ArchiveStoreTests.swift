@testable import ETLConnectors
import ETLHTTP
import Foundation
import XCTest

final class ArchiveStoreTests: XCTestCase {
    private let runTime = Date(timeIntervalSince1970: 1795399200)   // 2026-11-23T02:00:00Z
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("archive-\(UUID().uuidString)")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
        super.tearDown()
    }

    func testRenderKeyWithStrftimeAndBracePlaceholders() {
        XCTAssertEqual(ArchiveStore.renderKey(template: "inventory-sync/%Y-%m-%d/inventory_%Y%m%d_%H%M%S.json", date: runTime),
                       "inventory-sync/2026-11-23/inventory_20261123_020000.json")
        let later = Date(timeIntervalSince1970: 1795399200 + 3600 * 13 + 60 * 4 + 9)
        XCTAssertEqual(ArchiveStore.renderKey(template: "raw/{YYYY}/{MM}/{DD}/{hh}{mm}{ss}.json", date: later),
                       "raw/2026/11/23/150409.json")
        XCTAssertEqual(ArchiveStore.renderKey(template: "100%%/%q/{XX}/{YYYY", date: runTime), "100%/%q/{XX}/{YYYY")
        XCTAssertEqual(ArchiveStore.renderKey(template: "%{YYYY}-{MM}%", date: runTime), "%2026-11%")
    }

    func testFixedPrefixIsTheTextBeforeTheFirstPlaceholder() {
        XCTAssertEqual(ArchiveKeyTemplate.fixedPrefix(of: "inventory-sync/%Y-%m-%d/x.json"), "inventory-sync/")
        XCTAssertEqual(ArchiveKeyTemplate.fixedPrefix(of: "raw/{YYYY}/x"), "raw/")
        XCTAssertEqual(ArchiveKeyTemplate.fixedPrefix(of: "plain.json"), "plain.json")
    }

    func testParsesArchiveURLs() throws {
        XCTAssertEqual(try ArchiveStore.parse("s3://my-bucket"), .s3(bucket: "my-bucket", prefix: ""))
        XCTAssertEqual(try ArchiveStore.parse("s3://my-bucket/raw/payloads/"), .s3(bucket: "my-bucket", prefix: "raw/payloads"))
        XCTAssertEqual(try ArchiveStore.parse("file:///var/lib/etl/archive"), .directory("/var/lib/etl/archive"))
        XCTAssertEqual(try ArchiveStore.parse("./archive"), .directory("./archive"))
        XCTAssertThrowsError(try ArchiveStore.parse("s3:///prefix"))
        XCTAssertThrowsError(try ArchiveStore.parse("ftp://host/dir"))
        XCTAssertThrowsError(try ArchiveStore.parse("file://relative/dir"))
    }

    func testS3LocationsIncludeBucketAndPrefix() throws {
        let client = S3Client(configuration: S3Configuration(credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "location-test-secret")))
        let store = try ArchiveStore(url: "s3://bucket/raw/", s3Client: client)
        XCTAssertEqual(store.location(of: "/inv/2026.json"), "s3://bucket/raw/inv/2026.json")
    }

    func testS3ArchiveWithoutCredentialsSaysWhichVariableIsMissing() {
        XCTAssertThrowsError(try ArchiveStore(url: "s3://bucket/raw", environment: [:])) { error in
            XCTAssertTrue("\(error)".contains("AWS_ACCESS_KEY_ID"), "\(error)")
        }
    }

    func testDirectoryPutCreatesFoldersAndReturnsThePath() throws {
        let store = try ArchiveStore(url: "file://" + directory.path)
        let key = ArchiveStore.renderKey(template: "inventory-sync/%Y-%m-%d/inventory_%Y%m%d_%H%M%S.json", date: runTime)
        XCTAssertEqual(store.location(of: key), directory.path + "/inventory-sync/2026-11-23/inventory_20261123_020000.json")
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.location(of: key)))
        let location = try store.put(key: key, body: Data(#"{"items":[]}"#.utf8))
        XCTAssertEqual(location, directory.path + "/inventory-sync/2026-11-23/inventory_20261123_020000.json")
        XCTAssertEqual(try String(contentsOfFile: location, encoding: .utf8), #"{"items":[]}"#)

        let plain = try ArchiveStore(url: directory.path + "/")
        XCTAssertEqual(try plain.put(key: "a/b.bin", body: [1, 2, 3]), directory.path + "/a/b.bin")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: directory.path + "/a/b.bin")), Data([1, 2, 3]))
    }

    func testKeysCannotLeaveTheArchive() throws {
        let store = try ArchiveStore(url: directory.path)
        XCTAssertThrowsError(try store.put(key: "../escape.json", body: Data()))
        XCTAssertThrowsError(try store.put(key: "a/../../escape.json", body: Data()))
        XCTAssertThrowsError(try store.put(key: "dir/", body: Data()))
        XCTAssertThrowsError(try store.applyRetention(days: 7, under: "../"))
        XCTAssertThrowsError(try store.applyRetention(days: 0, under: "x/"))
    }

    func testDirectoryRetentionDeletesOnlyOldFilesUnderThePrefix() throws {
        let store = try ArchiveStore(url: directory.path)
        let old = try store.put(key: "inventory-sync/2026-10-01/old.json", body: Data("old".utf8))
        let fresh = try store.put(key: "inventory-sync/2026-11-22/fresh.json", body: Data("new".utf8))
        let otherOld = try store.put(key: "orders/2026-10-01/old.json", body: Data("keep".utf8))
        let ancient = runTime.addingTimeInterval(-40 * 86_400)
        for path in [old, otherOld] {
            try FileManager.default.setAttributes([.modificationDate: ancient], ofItemAtPath: path)
        }
        try FileManager.default.setAttributes([.modificationDate: runTime.addingTimeInterval(-86_400)], ofItemAtPath: fresh)

        let deleted = try store.applyRetention(days: 30, under: "inventory-sync/", now: runTime)
        XCTAssertEqual(deleted, 1)
        let fm = FileManager.default
        XCTAssertFalse(fm.fileExists(atPath: old))
        XCTAssertFalse(fm.fileExists(atPath: directory.path + "/inventory-sync/2026-10-01"), "emptied folder removed")
        XCTAssertTrue(fm.fileExists(atPath: fresh))
        XCTAssertTrue(fm.fileExists(atPath: otherOld), "other prefixes are untouched")
        XCTAssertEqual(try store.applyRetention(days: 30, under: "missing/", now: runTime), 0)
    }
}
