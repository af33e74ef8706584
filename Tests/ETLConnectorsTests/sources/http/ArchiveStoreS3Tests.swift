import ETLConnectors
@testable import ETLHTTP
import Foundation
import XCTest

/// The archive against the suite's S3 emulator (moto_server, ETL_TEST_S3_ENDPOINT).
final class ArchiveStoreS3Tests: XCTestCase {
    private func environment() throws -> [String: String] {
        guard let endpoint = ProcessInfo.processInfo.environment["ETL_TEST_S3_ENDPOINT"], !endpoint.isEmpty else {
            throw XCTSkip("ETL_TEST_S3_ENDPOINT not set: run the suite with scripts/test, which starts moto_server")
        }
        return ["AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1",
                "AWS_ACCESS_KEY_ID": "AKIAMOTOEXAMPLE", "AWS_SECRET_ACCESS_KEY": "moto-secret-access-key"]
    }

    func testASpooledFileIsUploadedByteForByteAndLeftInPlace() throws {
        let env = try environment()
        let bucket = "etl-archive-" + UUID().uuidString.prefix(8).lowercased()
        try S3Client(environment: env).createBucket(bucket)
        let store = try ArchiveStore(url: "s3://\(bucket)/raw", environment: env)
        let spool = NSTemporaryDirectory() + "/spool-\(UUID().uuidString)"
        let body = Data((0..<200_000).map { UInt8($0 % 251) })
        try body.write(to: URL(fileURLWithPath: spool))
        defer { try? FileManager.default.removeItem(atPath: spool) }
        XCTAssertEqual(try store.put(key: "p/body.json", file: spool), "s3://\(bucket)/raw/p/body.json")
        XCTAssertNil(store.localPath(of: "p/body.json"))
        XCTAssertEqual(try S3Client(environment: env).getObject(bucket: bucket, key: "raw/p/body.json"), body)
        XCTAssertTrue(FileManager.default.fileExists(atPath: spool), "the caller still parses it")
    }

    func testArchiveRoundTripAndRetentionOnS3() throws {
        let env = try environment()
        let bucket = "etl-archive-" + UUID().uuidString.prefix(8).lowercased()
        let s3 = try S3Client(environment: env)
        try s3.createBucket(bucket)

        let store = try ArchiveStore(url: "s3://\(bucket)/raw", environment: env)
        let template = "inventory-sync/%Y-%m-%d/inventory_%Y%m%d_%H%M%S.json"
        let key = ArchiveStore.renderKey(template: template, date: Date(timeIntervalSince1970: 1795399200))
        var payload = Data(#"{"items":[{"sku":"A-1","qty":3}]}"#.utf8)
        payload.append(contentsOf: (0..<2048).map { UInt8($0 % 251) })   // binary tail, > 1 KiB
        let location = try store.put(key: key, body: payload)
        XCTAssertEqual(location, "s3://\(bucket)/raw/inventory-sync/2026-11-23/inventory_20261123_020000.json")

        _ = try store.put(key: "inventory-sync/odd name+$&=.json", body: Data("odd".utf8))
        XCTAssertEqual(try s3.listObjects(bucket: bucket, prefix: "raw/inventory-sync/"),
                       ["raw/inventory-sync/2026-11-23/inventory_20261123_020000.json", "raw/inventory-sync/odd name+$&=.json"])
        XCTAssertEqual(try s3.getObject(bucket: bucket, key: "raw/inventory-sync/2026-11-23/inventory_20261123_020000.json"), payload)
        XCTAssertEqual(try s3.getObject(bucket: bucket, key: "raw/inventory-sync/odd name+$&=.json"), Data("odd".utf8))
        XCTAssertTrue(try store.exists(key: key))

        XCTAssertNil(try s3.getLifecycleConfiguration(bucket: bucket))
        XCTAssertEqual(try store.applyRetention(days: 30, keyTemplate: template).lifecyclePrefix, "raw/inventory-sync/")
        try s3.putLifecycleExpiration(bucket: bucket, prefix: "raw/orders/", days: 7)
        try store.applyRetention(days: 90, keyTemplate: "inventory-sync/%Y/x.json")   // replaces our own rule, keeps the other
        // Without a fixed prefix a rule would expire the whole archive: refused, saying so.
        XCTAssertThrowsError(try store.applyRetention(days: 30, keyTemplate: "%Y/%m/%d/inventory.json")) { error in
            XCTAssertTrue("\(error)".contains("has no fixed prefix"), "\(error)")
        }
        let lifecycle = try XCTUnwrap(s3.getLifecycleConfiguration(bucket: bucket))
        let rules = SimpleXML.elements("Rule", in: lifecycle)
        XCTAssertEqual(rules.count, 2, lifecycle)
        let inventory = try XCTUnwrap(rules.first { SimpleXML.firstValue(of: "ID", in: $0) == "etl-expire-raw/inventory-sync/" }, lifecycle)
        XCTAssertEqual(SimpleXML.firstValue(of: "Prefix", in: inventory), "raw/inventory-sync/")
        XCTAssertEqual(SimpleXML.firstValue(of: "Days", in: inventory), "90")
        XCTAssertTrue(rules.contains { SimpleXML.firstValue(of: "Days", in: $0) == "7" }, lifecycle)
    }
}
