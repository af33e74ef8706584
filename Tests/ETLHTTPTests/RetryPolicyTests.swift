@testable import ETLHTTP
import Foundation
import XCTest

final class RetryPolicyTests: XCTestCase {
    private var peer: HTTPPeer?
    private var sleeps: [Double] = []
    private var logLines: [String] = []

    override func setUp() {
        super.setUp()
        sleeps = []
        logLines = []
    }

    override func tearDown() {
        peer?.stop()
        peer = nil
        super.tearDown()
    }

    private func startPeer(_ routes: [String: [[String: Any]]]) throws -> HTTPPeer {
        let p = try HTTPPeer(routes: routes)
        peer = p
        return p
    }

    private func policy(_ backoff: [Double] = [5, 15, 45]) -> RetryPolicy {
        RetryPolicy(backoff: backoff, sleep: { [unowned self] in self.sleeps.append($0) })
    }

    private func run(_ policy: RetryPolicy, _ request: HTTPRequest) throws -> HTTPResponse {
        try policy.run(request, client: HTTPClient(), log: { [unowned self] in self.logLines.append($0) })
    }

    func testBackoffListSetsTheNumberOfAttempts() {
        XCTAssertEqual(RetryPolicy(backoff: [5, 15, 45]).maxAttempts, 4)
        XCTAssertEqual(RetryPolicy.none.maxAttempts, 1)
    }

    func testServerErrorIsRetriedUntilSuccess() throws {
        let peer = try startPeer(["/inventory": [["status": 500], ["status": 200, "body": "[1,2]"]]])
        let response = try run(policy(), HTTPRequest(url: peer.baseURL + "/inventory"))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.text, "[1,2]")
        XCTAssertEqual(sleeps, [5])
        XCTAssertEqual(peer.requests().count, 2)
        XCTAssertEqual(logLines.count, 1)
        XCTAssertTrue(logLines[0].contains("HTTP 500 on attempt 1 of 4; retrying in 5s"), logLines[0])
    }

    func testRetryAfterIsHonouredButCappedByTheBackoffStep() throws {
        let peer = try startPeer([
            "/short": [["status": 429, "headers": ["Retry-After": "2"]], ["status": 200]],
            "/long": [["status": 429, "headers": ["Retry-After": "120"]], ["status": 503, "headers": ["Retry-After": "120"]], ["status": 200]],
        ])
        XCTAssertEqual(try run(policy(), HTTPRequest(url: peer.baseURL + "/short")).status, 200)
        XCTAssertEqual(sleeps, [2])
        sleeps = []
        XCTAssertEqual(try run(policy(), HTTPRequest(url: peer.baseURL + "/long")).status, 200)
        XCTAssertEqual(sleeps, [5, 15])
    }

    func testClientErrorIsNotRetried() throws {
        let peer = try startPeer(["/missing": [["status": 404, "body": "nope: no such item"]]])
        XCTAssertThrowsError(try run(policy(), HTTPRequest(url: peer.baseURL + "/missing"))) { error in
            guard let http = error as? HTTPError else { return XCTFail("\(error)") }
            XCTAssertEqual(http.kind, .status(404))
            XCTAssertEqual(http.attempts, 1)
            XCTAssertEqual(http.bodyExcerpt, "nope: no such item")
            XCTAssertTrue(http.description.contains("HTTP 404"), http.description)
        }
        XCTAssertEqual(peer.requests().count, 1)
        XCTAssertEqual(sleeps, [])
    }

    func testExhaustedRetriesReportAttemptsAndLastStatus() throws {
        let peer = try startPeer(["/down": [["status": 503, "body": "maintenance"]]])
        XCTAssertThrowsError(try run(policy([1, 2]), HTTPRequest(url: peer.baseURL + "/down"))) { error in
            guard let http = error as? HTTPError else { return XCTFail("\(error)") }
            XCTAssertEqual(http.kind, .status(503))
            XCTAssertEqual(http.attempts, 3)
            XCTAssertTrue(http.description.contains("after 3 attempts"), http.description)
            XCTAssertTrue(http.description.contains("maintenance"), http.description)
        }
        XCTAssertEqual(peer.requests().count, 3)
        XCTAssertEqual(sleeps, [1, 2])
    }

    func testTimeoutIsRetried() throws {
        let peer = try startPeer(["/slow-once": [["status": 200, "delay": 2], ["status": 200, "body": "fast"]]])
        let response = try run(policy([1]), HTTPRequest(url: peer.baseURL + "/slow-once", totalTimeout: 0.5))
        XCTAssertEqual(response.text, "fast")
        XCTAssertEqual(sleeps, [1])
        XCTAssertTrue(logLines.first?.contains("timed out") ?? false, "\(logLines)")
    }

    func testConnectionRefusedIsRetriedThenReportedWithAttempts() throws {
        let url = "http://127.0.0.1:\(LoopbackPort.free())/x?token=secret-in-query-88"
        XCTAssertThrowsError(try run(policy([0.5, 0.5]), HTTPRequest(url: url, connectTimeout: 2))) { error in
            guard let http = error as? HTTPError, case .network = http.kind else { return XCTFail("\(error)") }
            XCTAssertEqual(http.attempts, 3)
            XCTAssertFalse(http.description.contains("secret-in-query-88"), http.description)
        }
        XCTAssertEqual(sleeps, [0.5, 0.5])
        XCTAssertFalse(logLines.joined().contains("secret-in-query-88"))
    }

    func testRetryAfterParsesSecondsAndHTTPDates() {
        let now = Date(timeIntervalSince1970: 1445412450)   // Wed, 21 Oct 2015 07:27:30 GMT
        XCTAssertEqual(RetryAfter.seconds("120", now: now), 120)
        XCTAssertEqual(RetryAfter.seconds("Wed, 21 Oct 2015 07:28:00 GMT", now: now), 30)
        XCTAssertEqual(RetryAfter.seconds("Wed, 21 Oct 2015 07:00:00 GMT", now: now), 0)
        XCTAssertNil(RetryAfter.seconds("soon", now: now))

        let dated = RetryPolicy(backoff: [60], sleep: { _ in }, now: { now })
        let response = HTTPResponse(status: 429, headers: HTTPHeaders([(name: "Retry-After", value: "Wed, 21 Oct 2015 07:28:00 GMT")]))
        XCTAssertEqual(dated.delay(beforeRetry: 0, response: response), 30)
    }
}
