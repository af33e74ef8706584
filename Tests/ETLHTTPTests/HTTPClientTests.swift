@testable import ETLHTTP
import Foundation
import XCTest

final class HTTPClientTests: XCTestCase {
    private var peer: HTTPPeer?

    override func tearDown() {
        peer?.stop()
        peer = nil
        super.tearDown()
    }

    private func startPeer(_ routes: [String: [[String: Any]]], files: [String: String] = [:]) throws -> HTTPPeer {
        let p = try HTTPPeer(routes: routes, files: files)
        peer = p
        return p
    }

    func testGetReturnsStatusHeadersBodyAndLatency() throws {
        let peer = try startPeer(["/hello": [["status": 200, "body": "hi there", "headers": ["X-Thing": "value"]]]])
        let response = try HTTPClient().send(HTTPRequest(url: peer.baseURL + "/hello?page=2"))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.text, "hi there")
        XCTAssertEqual(response.headers["x-thing"], "value")
        XCTAssertEqual(response.headers["X-THING"], "value")
        XCTAssertEqual(response.headers["Content-Length"], "8")
        XCTAssertGreaterThan(response.latency, 0)
        let logged = peer.requests()
        XCTAssertEqual(logged.count, 1)
        XCTAssertEqual(logged.first?["query"] as? String, "page=2")
    }

    func testPostPutDeleteAndHeadSendMethodBodyAndHeaders() throws {
        let peer = try startPeer(["/items": [["status": 201, "body": "created"]]])
        let client = HTTPClient()
        let json = Data(#"{"sku":"A-1","qty":3}"#.utf8)
        let post = try client.send(HTTPRequest(method: .post, url: peer.baseURL + "/items",
                                               headers: [("Content-Type", "application/json"), ("X-Run", "42")], body: json))
        XCTAssertEqual(post.status, 201)
        _ = try client.send(HTTPRequest(method: .put, url: peer.baseURL + "/items", body: Data("put-body".utf8)))
        _ = try client.send(HTTPRequest(method: .delete, url: peer.baseURL + "/items"))
        let head = try client.send(HTTPRequest(method: .head, url: peer.baseURL + "/items"))
        XCTAssertEqual(head.status, 201)
        XCTAssertTrue(head.body.isEmpty)

        let logged = peer.requests()
        XCTAssertEqual(logged.compactMap { $0["method"] as? String }, ["POST", "PUT", "DELETE", "HEAD"])
        XCTAssertEqual(logged[0]["body"] as? String, #"{"sku":"A-1","qty":3}"#)
        let postHeaders = logged[0]["headers"] as? [String: String] ?? [:]
        XCTAssertEqual(postHeaders["Content-Type"], "application/json")
        XCTAssertEqual(postHeaders["X-Run"], "42")
        XCTAssertNil(postHeaders["Expect"])
        XCTAssertEqual(logged[1]["body"] as? String, "put-body")
    }

    func testPostWithoutContentTypeDoesNotClaimFormEncoding() throws {
        let peer = try startPeer(["/raw": [["status": 200]]])
        _ = try HTTPClient().send(HTTPRequest(method: .post, url: peer.baseURL + "/raw", body: Data("x".utf8)))
        let headers = peer.requests().first?["headers"] as? [String: String] ?? [:]
        XCTAssertNil(headers["Content-Type"])
    }

    func testOneClientReusesItsConnection() throws {
        let peer = try startPeer(["/a": [["status": 200, "body": "1"]]])
        let client = HTTPClient()
        let first = try client.send(HTTPRequest(url: peer.baseURL + "/a"))
        let second = try client.send(HTTPRequest(url: peer.baseURL + "/a"))
        XCTAssertFalse(first.reusedConnection)
        XCTAssertTrue(second.reusedConnection)
    }

    func testFileURLReadsWithStatus200AndMissingFileIs404() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("http-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("payload.json")
        try Data(#"[{"id":1}]"#.utf8).write(to: file)

        let client = HTTPClient()
        let response = try client.send(HTTPRequest(url: "file://" + file.path))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.text, #"[{"id":1}]"#)

        let missing = try client.send(HTTPRequest(url: "file://" + dir.appendingPathComponent("nope.json").path))
        XCTAssertEqual(missing.status, 404)

        XCTAssertThrowsError(try client.send(HTTPRequest(method: .put, url: "file://" + file.path, body: Data()))) { error in
            guard case .invalidRequest? = (error as? HTTPError)?.kind else { return XCTFail("\(error)") }
        }
    }

    func testTruncatedBodyIsARetryableNetworkError() throws {
        let peer = try startPeer(["/cut": [["status": 200, "body": "partial", "truncate": true]]])
        XCTAssertThrowsError(try HTTPClient().send(HTTPRequest(url: peer.baseURL + "/cut"))) { error in
            guard let http = error as? HTTPError, case .network(let why) = http.kind else { return XCTFail("\(error)") }
            XCTAssertTrue(why.contains("truncated"), why)
            XCTAssertTrue(http.isRetryable)
        }
    }

    func testSlowServerHitsTheTotalTimeout() throws {
        let peer = try startPeer(["/slow": [["status": 200, "delay": 3]]])
        let started = Date()
        XCTAssertThrowsError(try HTTPClient().send(HTTPRequest(url: peer.baseURL + "/slow", totalTimeout: 0.5))) { error in
            XCTAssertEqual((error as? HTTPError)?.kind, .timeout)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 2.5)
    }

    func testConnectionRefusedIsANetworkErrorWithoutSecrets() throws {
        let port = LoopbackPort.free()
        let url = "http://etl-user:pw-s3cr3t-value@127.0.0.1:\(port)/items?api_key=tok-abc-123&page=2"
        XCTAssertThrowsError(try HTTPClient().send(HTTPRequest(url: url, connectTimeout: 2))) { error in
            guard let http = error as? HTTPError, case .network = http.kind else { return XCTFail("\(error)") }
            let text = "\(http) \(http.message)"
            XCTAssertFalse(text.contains("pw-s3cr3t-value"), text)
            XCTAssertFalse(text.contains("tok-abc-123"), text)
            XCTAssertTrue(text.contains("127.0.0.1:\(port)/items"), text)
        }
    }

    func testHeaderWithLineBreakIsRejectedBeforeSending() throws {
        let request = HTTPRequest(url: "http://127.0.0.1:1/", headers: [("X-Evil", "a\r\nInjected: yes")])
        XCTAssertThrowsError(try HTTPClient().send(request)) { error in
            guard case .invalidRequest? = (error as? HTTPError)?.kind else { return XCTFail("\(error)") }
        }
    }

    func testAuthHeadersAreSent() throws {
        let peer = try startPeer(["/api": [["status": 200]]])
        let client = HTTPClient()
        var bearer = HTTPRequest(url: peer.baseURL + "/api")
        bearer.authorize(.bearer(token: "bearer-token-7f3a"))
        var basic = HTTPRequest(url: peer.baseURL + "/api")
        basic.authorize(.basic(user: "etl", password: "basic-pass-91b2"))
        var custom = HTTPRequest(url: peer.baseURL + "/api")
        custom.authorize(.header(name: "X-API-Key", value: "api-key-55c1"))
        for request in [bearer, basic, custom] { _ = try client.send(request) }

        let headers = peer.requests().map { $0["headers"] as? [String: String] ?? [:] }
        XCTAssertEqual(headers[0]["Authorization"], "Bearer bearer-token-7f3a")
        XCTAssertEqual(headers[1]["Authorization"], "Basic " + Data("etl:basic-pass-91b2".utf8).base64EncodedString())
        XCTAssertEqual(headers[2]["X-API-Key"], "api-key-55c1")
    }
}
