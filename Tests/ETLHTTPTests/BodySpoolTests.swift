@testable import ETLHTTP
import Foundation
import XCTest

/// `HTTPRequest.bodyFile`: a success's body goes to the file as it arrives, not
/// into memory; an error page stays in memory for messages.
final class BodySpoolTests: XCTestCase {
    private var peer: HTTPPeer?
    private var dir = ""

    override func setUp() {
        dir = NSTemporaryDirectory() + "/spool-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        peer?.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    func testASuccessfulBodyIsWrittenToTheFileAndEachRequestStartsItAfresh() throws {
        let big = String(repeating: "0123456789", count: 100_000)
        let p = try HTTPPeer(routes: ["/big": [["status": 200, "body": big]], "/small": [["status": 200, "body": "tiny"]]])
        peer = p
        let client = HTTPClient()
        var request = HTTPRequest(url: p.baseURL + "/big")
        request.bodyFile = dir + "/body"
        let response = try client.send(request)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.bodyFile, dir + "/body")
        XCTAssertTrue(response.body.isEmpty, "not held in memory")
        XCTAssertEqual(response.bodySize, big.utf8.count)
        XCTAssertEqual(try String(contentsOfFile: dir + "/body", encoding: .utf8), big)

        request.url = p.baseURL + "/small"
        _ = try client.send(request)
        XCTAssertEqual(try String(contentsOfFile: dir + "/body", encoding: .utf8), "tiny", "truncated, not appended to")
    }

    func testAnErrorPageStaysInMemoryForMessages() throws {
        let p = try HTTPPeer(routes: ["/gone": [["status": 404, "body": "no such inventory"]]])
        peer = p
        var request = HTTPRequest(url: p.baseURL + "/gone")
        request.bodyFile = dir + "/body"
        let response = try HTTPClient().send(request)
        XCTAssertEqual(response.status, 404)
        XCTAssertNil(response.bodyFile)
        XCTAssertEqual(response.text, "no such inventory")
    }

    func testFileURLsAreSpooledToo() throws {
        let source = dir + "/source.json"
        try Data("[1, 2, 3]".utf8).write(to: URL(fileURLWithPath: source))
        var request = HTTPRequest(url: "file://" + source)
        request.bodyFile = dir + "/body"
        let response = try HTTPClient().send(request)
        XCTAssertEqual(response.bodyFile, dir + "/body")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/body")), Data("[1, 2, 3]".utf8))
    }

    func testASpoolFileThatCannotBeCreatedIsALocalErrorNotWorthRetrying() throws {
        var request = HTTPRequest(url: "file:///etc/hostname")
        request.bodyFile = dir + "/missing-dir/body"
        XCTAssertThrowsError(try HTTPClient().send(request)) { error in
            let e = error as? HTTPError
            guard case .localFile(let why)? = e?.kind else { return XCTFail("\(error)") }
            XCTAssertTrue(why.contains("No such file or directory"), why)
            XCTAssertEqual(e?.isRetryable, false)
        }
    }
}
