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

    func testASpooledFileIsMovedIntoPlaceByteForByteEvenFromAnotherFileSystem() throws {
        let store = try ArchiveStore(url: directory.path)
        let body = Data((0..<300_000).map { UInt8($0 % 251) })
        // /dev/shm is another file system (tmpfs) than the archive's: copied, then renamed.
        for spoolDirectory in [directory.path, "/dev/shm"] where FileManager.default.isWritableFile(atPath: spoolDirectory) {
            try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
            let spool = spoolDirectory + "/spool-\(UUID().uuidString)"
            try body.write(to: URL(fileURLWithPath: spool))
            let key = "p/\(UUID().uuidString).json"
            let location = try store.put(key: key, file: spool)
            XCTAssertEqual(location, store.localPath(of: key))
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: location)), body)
            XCTAssertFalse(FileManager.default.fileExists(atPath: spool), "moved, not copied and left")
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/p").filter { $0.contains(".partial") }, [])
        }
    }

    func testKeysCannotLeaveTheArchive() throws {
        let store = try ArchiveStore(url: directory.path)
        XCTAssertThrowsError(try store.put(key: "../escape.json", body: Data()))
        XCTAssertThrowsError(try store.put(key: "a/../../escape.json", body: Data()))
        XCTAssertThrowsError(try store.put(key: "dir/", body: Data()))
        XCTAssertThrowsError(try store.applyRetention(days: 7, keyTemplate: "../%Y.json"))
        XCTAssertThrowsError(try store.applyRetention(days: 0, keyTemplate: "x/%Y.json"))
    }

    func testDirectoryRetentionDeletesOnlyOldFilesUnderThePrefix() throws {
        let store = try ArchiveStore(url: directory.path)
        let template = "inventory-sync/%Y-%m-%d/inventory_%H%M%S.json"
        let old = try store.put(key: "inventory-sync/2026-10-01/inventory_020000.json", body: Data("old".utf8))
        let fresh = try store.put(key: "inventory-sync/2026-11-22/inventory_020000.json", body: Data("new".utf8))
        let otherOld = try store.put(key: "orders/2026-10-01/inventory_020000.json", body: Data("keep".utf8))
        let ancient = runTime.addingTimeInterval(-40 * 86_400)
        for path in [old, otherOld] {
            try FileManager.default.setAttributes([.modificationDate: ancient], ofItemAtPath: path)
        }
        try FileManager.default.setAttributes([.modificationDate: runTime.addingTimeInterval(-86_400)], ofItemAtPath: fresh)

        let deleted = try store.applyRetention(days: 30, keyTemplate: template, now: runTime).deleted
        XCTAssertEqual(deleted, [old])
        let fm = FileManager.default
        XCTAssertFalse(fm.fileExists(atPath: old))
        XCTAssertFalse(fm.fileExists(atPath: directory.path + "/inventory-sync/2026-10-01"), "emptied folder removed")
        XCTAssertTrue(fm.fileExists(atPath: fresh))
        XCTAssertTrue(fm.fileExists(atPath: otherOld), "other prefixes are untouched")
        XCTAssertEqual(try store.applyRetention(days: 30, keyTemplate: "missing/%Y.json", now: runTime).deleted, [])
        XCTAssertEqual(try store.applyRetention(days: 30, keyTemplate: "missing/%Y.json", now: runTime).unreadable, [],
                       "a folder nothing was archived in yet is not a problem")
    }

    /// A key without a fixed folder: retention walks the whole archive, but deletes only
    /// what the template produces (pages, same-second and failed copies included).
    func testRetentionWithoutAFixedPrefixDeletesOnlyKeysOfTheTemplate() throws {
        let store = try ArchiveStore(url: directory.path)
        let template = "%Y/%m/%d/inventory_%H%M%S.json"
        let ours = try ["2026/10/01/inventory_020000.json", "2026/10/01/inventory_020000_p0002.json",
                        "2026/10/01/inventory_020000-2.json", "2026/10/01/inventory_020000.json.failed"]
            .map { try store.put(key: $0, body: Data("x".utf8)) }
        let notOurs = try ["2026/10/01/orders_020000.json", "2026/10/01/inventory_020000.json.bak", "notes/readme.txt",
                           "2026/10/inventory_020000.json", "keep/2026/10/01/inventory_020000.json"]
            .map { try store.put(key: $0, body: Data("keep".utf8)) }
        try FileManager.default.createDirectory(atPath: directory.path + "/empty-but-not-ours", withIntermediateDirectories: true)
        for path in ours + notOurs {
            try FileManager.default.setAttributes([.modificationDate: runTime.addingTimeInterval(-40 * 86_400)], ofItemAtPath: path)
        }
        let deleted = try store.applyRetention(days: 30, keyTemplate: template, now: runTime).deleted
        XCTAssertEqual(Set(deleted), Set(ours))
        for path in notOurs { XCTAssertTrue(FileManager.default.fileExists(atPath: path), path) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.path + "/empty-but-not-ours"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.path + "/2026/10/01/inventory_020000.json"))
    }

    /// A symbolic link inside the archive (to a folder or a file elsewhere) is neither
    /// followed nor deleted, however old and well named what it points to.
    func testRetentionNeitherFollowsNorDeletesSymbolicLinks() throws {
        let store = try ArchiveStore(url: directory.path)
        let fm = FileManager.default
        let outside = directory.path + "-outside"
        try fm.createDirectory(atPath: outside, withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: outside) }
        let elsewhere = outside + "/inventory_020000.json"
        try Data("elsewhere".utf8).write(to: URL(fileURLWithPath: elsewhere))
        let ancient = runTime.addingTimeInterval(-40 * 86_400)
        try fm.setAttributes([.modificationDate: ancient], ofItemAtPath: elsewhere)
        let kept = try store.put(key: "inventory-sync/2026-10-02/inventory_020000.json", body: Data("old".utf8))
        try fm.setAttributes([.modificationDate: ancient], ofItemAtPath: kept)
        try fm.createSymbolicLink(atPath: directory.path + "/inventory-sync/2026-10-01", withDestinationPath: outside)
        try fm.createSymbolicLink(atPath: directory.path + "/inventory-sync/2026-10-02/inventory_030000.json", withDestinationPath: elsewhere)

        let deleted = try store.applyRetention(days: 30, keyTemplate: "inventory-sync/%Y-%m-%d/inventory_%H%M%S.json", now: runTime).deleted
        XCTAssertEqual(deleted, [kept], "only the real old file")
        XCTAssertTrue(fm.fileExists(atPath: elsewhere), "a file reached through a linked folder stays")
        XCTAssertNotNil(try? fm.destinationOfSymbolicLink(atPath: directory.path + "/inventory-sync/2026-10-02/inventory_030000.json"),
                        "a link named like a key stays")
    }

    func testKeyPatternMatchesWhatTheTemplateProduces() {
        let p = ArchiveKeyPattern(template: "raw/{YYYY}{MM}/{run_id}.ndjson")
        XCTAssertTrue(p.matches("raw/202611/20261123T020000Z-0a1b2c3d.ndjson"))
        XCTAssertTrue(p.matches("raw/202611/20261123T020000Z-0a1b2c3d_p0003.ndjson"))
        XCTAssertFalse(p.matches("raw/202611/notes.ndjson"))
        XCTAssertFalse(p.matches("raw/2026-11/20261123T020000Z-0a1b2c3d.ndjson"))
        XCTAssertTrue(ArchiveKeyPattern(template: "100%%/%Y").matches("100%/2026"))
    }

    func testWritingUnderARegularFileNamesThePath() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: directory.path + "/blocker", contents: Data("x".utf8))
        let store = try ArchiveStore(url: directory.path + "/blocker/archive")
        XCTAssertThrowsError(try store.put(key: "a/b.json", body: Data())) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("\(self.directory.path)/blocker is a file, not a directory"), text)
            XCTAssertFalse(text.contains("NSCocoaErrorDomain"), text)
        }
    }
}
