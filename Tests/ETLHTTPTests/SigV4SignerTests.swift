@testable import ETLHTTP
import Foundation
import XCTest

/// The worked examples of AWS's "Examples: Signature Calculations in AWS
/// Signature Version 4" (S3 API reference, header-based authentication).
final class SigV4SignerTests: XCTestCase {
    private let signer = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1", service: "s3")
    private let date = Date(timeIntervalSince1970: 1369353600)   // 20130524T000000Z

    func testGetObjectExample() throws {
        let signed = try signer.sign(method: "GET", url: "https://examplebucket.s3.amazonaws.com/test.txt",
                                     headers: [("Range", "bytes=0-9")], payloadHash: SigV4Signer.emptyPayloadHash, date: date)
        XCTAssertEqual(signed.canonicalRequest, """
            GET
            /test.txt

            host:examplebucket.s3.amazonaws.com
            range:bytes=0-9
            x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            x-amz-date:20130524T000000Z

            host;range;x-amz-content-sha256;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        XCTAssertEqual(signed.stringToSign, """
            AWS4-HMAC-SHA256
            20130524T000000Z
            20130524/us-east-1/s3/aws4_request
            7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
            """)
        XCTAssertEqual(signed.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        XCTAssertEqual(signed.authorization,
                       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                       + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                       + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        let names = signed.headers.map { $0.0.lowercased() }
        XCTAssertEqual(Set(names), ["range", "host", "x-amz-date", "x-amz-content-sha256", "authorization"])
    }

    func testPutObjectExample() throws {
        let body = Data("Welcome to Amazon S3.".utf8)
        XCTAssertEqual(SigV4Signer.payloadHash(body), "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let signed = try signer.sign(method: "PUT", url: "https://examplebucket.s3.amazonaws.com/test$file.text",
                                     headers: [("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
                                     payloadHash: SigV4Signer.payloadHash(body), date: date)
        XCTAssertTrue(signed.canonicalRequest.hasPrefix("PUT\n/test%24file.text\n\n"), signed.canonicalRequest)
        XCTAssertTrue(signed.stringToSign.hasSuffix("9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d"))
        XCTAssertEqual(signed.signedHeaders, "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class")
        XCTAssertEqual(signed.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")

        // An already-escaped path signs the same.
        let escaped = try signer.sign(method: "PUT", url: "https://examplebucket.s3.amazonaws.com/test%24file.text",
                                      headers: [("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
                                      payloadHash: SigV4Signer.payloadHash(body), date: date)
        XCTAssertEqual(escaped.signature, signed.signature)
    }

    func testGetBucketLifecycleExample() throws {
        let signed = try signer.sign(method: "GET", url: "https://examplebucket.s3.amazonaws.com/?lifecycle",
                                     headers: [], payloadHash: SigV4Signer.emptyPayloadHash, date: date)
        XCTAssertEqual(signed.signature, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    func testListObjectsExample() throws {
        let signed = try signer.sign(method: "GET", url: "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J",
                                     headers: [], payloadHash: SigV4Signer.emptyPayloadHash, date: date)
        XCTAssertEqual(signed.signature, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    func testQueryIsSortedAndEncoded() {
        XCTAssertEqual(SigV4Signer.canonicalQuery("prefix=a b&list-type=2&continuation-token=x%2By"),
                       "continuation-token=x%2By&list-type=2&prefix=a%20b")
        XCTAssertEqual(SigV4Signer.canonicalQuery("lifecycle"), "lifecycle=")
    }

    func testSessionTokenIsSentAndSigned() throws {
        let temporary = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: "ASIAEXAMPLE", secretAccessKey: "secret-example-key", sessionToken: "session-token-example"),
            region: "eu-west-1", service: "s3")
        let signed = try temporary.sign(method: "GET", url: "http://127.0.0.1:5000/bucket/key", headers: [],
                                        payloadHash: SigV4Signer.emptyPayloadHash, date: date)
        XCTAssertTrue(signed.headers.contains { $0.0 == "x-amz-security-token" && $0.1 == "session-token-example" })
        XCTAssertTrue(signed.headers.contains { $0.0 == "Host" && $0.1 == "127.0.0.1:5000" })
        XCTAssertEqual(signed.signedHeaders, "host;x-amz-content-sha256;x-amz-date;x-amz-security-token")
        XCTAssertTrue(signed.authorization.contains("/20130524/eu-west-1/s3/aws4_request"))
    }
}
