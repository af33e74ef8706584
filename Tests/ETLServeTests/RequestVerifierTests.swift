import Foundation
import XCTest
import Crypto
import ETLConfig
@testable import ETLServe

/// The signature checks over raw bytes, as GitHub, Stripe and Slack senders sign.
final class RequestVerifierTests: XCTestCase {
    let body = Array(#"{"id": 1, "note": "café"}"#.utf8)

    func hmac(_ algorithm: HMACVerification.Algorithm = .sha256, encoding: HMACVerification.Encoding = .hex,
              prefix: String = "sha256=", timestampHeader: String? = nil) -> RequestVerifier {
        RequestVerifier(verification: .hmac(HMACVerification(algorithm: algorithm, secret: "topsecret", header: "X-Sig", encoding: encoding,
                                                             prefix: prefix, timestampHeader: timestampHeader, tolerance: 300)))
    }

    func sign(_ payload: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: payload, using: SymmetricKey(data: Array("topsecret".utf8))))
    }

    func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }

    func testHexSignatureWithPrefixOverTheRawBytes() {
        let v = hmac()
        XCTAssertNil(v.refusal(body: body, header: { $0 == "X-Sig" ? "sha256=" + self.hex(self.sign(self.body)) : nil }))
        // Upper-case hex digits are the same digest.
        XCTAssertNil(v.refusal(body: body, header: { _ in "sha256=" + self.hex(self.sign(self.body)).uppercased() }))
        // One byte of the body changed (re-encoded JSON would do that): refused.
        var other = body; other[other.count - 2] = UInt8(ascii: "E")
        XCTAssertEqual(v.refusal(body: other, header: { _ in "sha256=" + self.hex(self.sign(self.body)) }), "invalid signature")
        XCTAssertEqual(v.refusal(body: body, header: { _ in self.hex(self.sign(self.body)) }), "invalid signature", "prefix missing")
        XCTAssertEqual(v.refusal(body: body, header: { _ in nil }), "missing X-Sig header")
        XCTAssertEqual(v.refusal(body: body, header: { _ in "sha256=zz" }), "invalid signature")
    }

    func testBase64AndOtherDigests() {
        let b64 = hmac(encoding: .base64, prefix: "")
        XCTAssertNil(b64.refusal(body: body, header: { _ in Data(self.sign(self.body)).base64EncodedString() }))
        let sha512 = hmac(.sha512, prefix: "")
        let mac = HMAC<SHA512>.authenticationCode(for: body, using: SymmetricKey(data: Array("topsecret".utf8)))
        XCTAssertNil(sha512.refusal(body: body, header: { _ in self.hex(Array(mac)) }))
        XCTAssertEqual(sha512.refusal(body: body, header: { _ in self.hex(self.sign(self.body)) }), "invalid signature")
    }

    func testSignedTimestampOutsideTheToleranceIsStale() {
        let v = hmac(timestampHeader: "X-Timestamp")
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func headers(_ ts: Int, signedAs signed: Int? = nil) -> (String) -> String? {
            let sig = "sha256=" + hex(sign(Array("\(signed ?? ts).".utf8) + body))
            return { $0 == "X-Timestamp" ? String(ts) : sig }
        }
        XCTAssertNil(v.refusal(body: body, header: headers(1_800_000_000 - 60), now: now))
        XCTAssertEqual(v.refusal(body: body, header: headers(1_800_000_000 - 3600), now: now), "stale timestamp: replays are refused")
        // A fresh timestamp on an old signature: the signature covers the timestamp.
        XCTAssertEqual(v.refusal(body: body, header: headers(1_800_000_000, signedAs: 1_700_000_000), now: now), "invalid signature")
    }

    func testAPIKeyComparedWhole() {
        let v = RequestVerifier(verification: .apiKey(header: "X-API-Key", secret: "k-123"))
        XCTAssertNil(v.refusal(body: body, header: { _ in "k-123" }))
        XCTAssertEqual(v.refusal(body: body, header: { _ in "k-12" }), "invalid API key")
        XCTAssertEqual(v.refusal(body: body, header: { _ in "k-1234" }), "invalid API key")
        XCTAssertEqual(v.refusal(body: body, header: { _ in nil }), "missing X-API-Key header")
        XCTAssertEqual(v.secretHeaders, ["x-api-key"])
    }
}
