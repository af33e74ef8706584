@testable import ETLHTTP
import Foundation
import XCTest

final class S3ClientTests: XCTestCase {
    private let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "unit-test-secret-key")

    func testConfigurationFromEnvironment() throws {
        let config = try S3Configuration.fromEnvironment([
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9000/", "AWS_REGION": "eu-central-1",
            "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "env-secret-value", "AWS_SESSION_TOKEN": "env-session-token",
        ])
        XCTAssertEqual(config.endpoint, "http://127.0.0.1:9000")
        XCTAssertEqual(config.region, "eu-central-1")
        XCTAssertEqual(config.credentials.sessionToken, "env-session-token")

        let defaults = try S3Configuration.fromEnvironment(["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "env-secret-value"])
        XCTAssertNil(defaults.endpoint)
        XCTAssertEqual(defaults.region, "us-east-1")
        XCTAssertNil(defaults.credentials.sessionToken)

        XCTAssertThrowsError(try S3Configuration.fromEnvironment(["AWS_ACCESS_KEY_ID": "AKID"])) { error in
            XCTAssertTrue("\(error)".contains("AWS_SECRET_ACCESS_KEY"))
        }
    }

    func testAddressingStyles() {
        let aws = S3Client(configuration: S3Configuration(region: "eu-west-1", credentials: credentials))
        XCTAssertEqual(aws.url(bucket: "archive", key: "raw/a b$.json"),
                       "https://archive.s3.eu-west-1.amazonaws.com/raw/a%20b%24.json")
        XCTAssertEqual(aws.url(bucket: "my.dotted.bucket", key: "k"), "https://s3.eu-west-1.amazonaws.com/my.dotted.bucket/k")
        XCTAssertEqual(aws.url(bucket: "archive", query: [("list-type", "2"), ("prefix", "raw/"), ("lifecycle", nil)]),
                       "https://archive.s3.eu-west-1.amazonaws.com/?list-type=2&prefix=raw%2F&lifecycle")

        let local = S3Client(configuration: S3Configuration(endpoint: "http://127.0.0.1:9000", credentials: credentials))
        XCTAssertEqual(local.url(bucket: "archive", key: "raw/x.json"), "http://127.0.0.1:9000/archive/raw/x.json")
    }

    func testSimpleXMLReadsS3Answers() {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a&amp;b.json</Key></Contents>\
            <Contents><Key>c&#x2F;d.json</Key></Contents><Prefix/></ListBucketResult>
            """
        XCTAssertEqual(SimpleXML.values(of: "Key", in: xml), ["a&b.json", "c/d.json"])
        XCTAssertEqual(SimpleXML.firstValue(of: "IsTruncated", in: xml), "false")
        XCTAssertEqual(SimpleXML.values(of: "Prefix", in: xml), [""])
        XCTAssertEqual(SimpleXML.escape("a<b>&'\""), "a&lt;b&gt;&amp;&apos;&quot;")
    }

    func testURLRedactionMasksPasswordsAndQueryValues() {
        XCTAssertEqual(URLRedaction.redact("https://user:pa55@host.example/p?token=abc&page=2"),
                       "https://user:***@host.example/p?token=***&page=***")
        XCTAssertEqual(URLRedaction.redact("https://tokenonly@host.example/"), "https://***@host.example/")
        XCTAssertEqual(URLRedaction.redact("http://127.0.0.1:80/plain"), "http://127.0.0.1:80/plain")
    }
}
