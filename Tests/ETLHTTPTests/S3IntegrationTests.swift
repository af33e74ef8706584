@testable import ETLHTTP
import Foundation
import XCTest

/// Against a real S3 emulator (moto_server) on loopback.
final class S3IntegrationTests: XCTestCase {
    private var moto: MotoServer?

    override func tearDown() {
        moto?.stop()
        moto = nil
        super.tearDown()
    }

    private func environment(_ moto: MotoServer) -> [String: String] {
        ["AWS_ENDPOINT_URL": moto.endpoint, "AWS_REGION": "us-east-1",
         "AWS_ACCESS_KEY_ID": "AKIAMOTOEXAMPLE", "AWS_SECRET_ACCESS_KEY": "moto-secret-access-key"]
    }

    func testArchiveRoundTripAndRetentionOnS3() throws {
        let moto = try MotoServer()
        self.moto = moto
        let env = environment(moto)
        let s3 = try S3Client(environment: env)
        try s3.createBucket("etl-archive")
        try s3.createBucket("etl-archive")   // already ours: not an error

        let store = try ArchiveStore(url: "s3://etl-archive/raw", environment: env)
        let template = "inventory-sync/%Y-%m-%d/inventory_%Y%m%d_%H%M%S.json"
        let key = ArchiveStore.renderKey(template: template, date: Date(timeIntervalSince1970: 1795399200))
        var payload = Data(#"{"items":[{"sku":"A-1","qty":3}]}"#.utf8)
        payload.append(contentsOf: (0..<2048).map { UInt8($0 % 251) })   // binary tail, > 1 KiB
        let location = try store.put(key: key, body: payload)
        XCTAssertEqual(location, "s3://etl-archive/raw/inventory-sync/2026-11-23/inventory_20261123_020000.json")

        _ = try store.put(key: "inventory-sync/odd name+$&=.json", body: Data("odd".utf8))
        XCTAssertEqual(try s3.listObjects(bucket: "etl-archive", prefix: "raw/inventory-sync/"),
                       ["raw/inventory-sync/2026-11-23/inventory_20261123_020000.json", "raw/inventory-sync/odd name+$&=.json"])
        XCTAssertEqual(try s3.getObject(bucket: "etl-archive", key: "raw/inventory-sync/2026-11-23/inventory_20261123_020000.json"), payload)
        XCTAssertEqual(try s3.getObject(bucket: "etl-archive", key: "raw/inventory-sync/odd name+$&=.json"), Data("odd".utf8))

        XCTAssertNil(try s3.getLifecycleConfiguration(bucket: "etl-archive"))
        XCTAssertEqual(try store.applyRetention(days: 30, keyTemplate: template).lifecyclePrefix, "raw/inventory-sync/")
        try s3.putLifecycleExpiration(bucket: "etl-archive", prefix: "raw/orders/", days: 7)
        try store.applyRetention(days: 90, keyTemplate: "inventory-sync/%Y/x.json")   // replaces our own rule, keeps the other
        // Without a fixed prefix a rule would expire the whole archive: refused, saying so.
        XCTAssertThrowsError(try store.applyRetention(days: 30, keyTemplate: "%Y/%m/%d/inventory.json")) { error in
            XCTAssertTrue("\(error)".contains("has no fixed prefix"), "\(error)")
        }
        let lifecycle = try XCTUnwrap(s3.getLifecycleConfiguration(bucket: "etl-archive"))
        let rules = SimpleXML.elements("Rule", in: lifecycle)
        XCTAssertEqual(rules.count, 2, lifecycle)
        let inventory = try XCTUnwrap(rules.first { SimpleXML.firstValue(of: "ID", in: $0) == "etl-expire-raw/inventory-sync/" }, lifecycle)
        XCTAssertEqual(SimpleXML.firstValue(of: "Prefix", in: inventory), "raw/inventory-sync/")
        XCTAssertEqual(SimpleXML.firstValue(of: "Days", in: inventory), "90")
        XCTAssertTrue(rules.contains { SimpleXML.firstValue(of: "Days", in: $0) == "7" }, lifecycle)
    }

    func testS3ErrorsCarryStatusAndCode() throws {
        let moto = try MotoServer()
        self.moto = moto
        let s3 = try S3Client(environment: environment(moto))
        XCTAssertThrowsError(try s3.getObject(bucket: "no-such-bucket", key: "x")) { error in
            guard let s3Error = error as? S3Error else { return XCTFail("\(error)") }
            XCTAssertEqual(s3Error.status, 404)
            XCTAssertEqual(s3Error.code, "NoSuchBucket")
            XCTAssertFalse("\(s3Error)".contains("moto-secret-access-key"))
        }
        try s3.createBucket("present")
        XCTAssertThrowsError(try s3.getObject(bucket: "present", key: "missing.json")) { error in
            XCTAssertEqual((error as? S3Error)?.code, "NoSuchKey")
            XCTAssertTrue("\(error)".contains("s3://present/missing.json"), "\(error)")
        }
    }
}
