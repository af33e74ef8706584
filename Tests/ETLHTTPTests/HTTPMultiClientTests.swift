@testable import ETLHTTP
import Foundation
import XCTest

/// The multi-handle driver against the real loopback peer: concurrency, order,
/// retries scheduled without holding a slot, rate limit and cancellation.
final class HTTPMultiClientTests: XCTestCase {
    private var peer: HTTPPeer?

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

    private func quickRetry(_ steps: [Double]) -> RetryPolicy { RetryPolicy(backoff: steps) }

    func testSlowRequestsOverlapUpToMaxInFlightAndComeBackInOrder() throws {
        var routes: [String: [[String: Any]]] = [:]
        for i in 0..<8 { routes["/slow/\(i)"] = [["status": 200, "body": "answer \(i)", "delay": 0.6]] }
        let peer = try startPeer(routes)
        let requests = (0..<8).map { HTTPRequest(method: .post, url: peer.url + "/slow/\($0)", body: Data("r\($0)".utf8)) }
        let start = Date()
        let exchanges = HTTPMultiClient(maxInFlight: 4).send(requests)
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(exchanges.map { $0.response?.text }, (0..<8).map { "answer \($0)" })
        XCTAssertEqual(exchanges.map(\.attempts), Array(repeating: 1, count: 8))
        // Two waves of four: about 1.2 s, not 8 × 0.6 s one after the other.
        XCTAssertLessThan(elapsed, 3.0)
        XCTAssertGreaterThanOrEqual(elapsed, 1.1)
        let received = peer.requests().compactMap { $0["received_at"] as? Double }.sorted()
        XCTAssertEqual(received.count, 8)
        XCTAssertLessThan(received[3] - received[0], 0.4, "the first four were in flight together")
        XCTAssertGreaterThan(received[4] - received[0], 0.5, "the fifth waited for a free slot")
        XCTAssertEqual(Set(peer.bodies(path: "/slow/3")), ["r3"])
    }

    func testServerErrorsAndDroppedConnectionsAreRetriedThenSucceed() throws {
        let peer = try startPeer([
            "/flaky": [["status": 500, "body": "boom"], ["status": 200, "body": "ok"]],
            "/dropped": [["drop": true], ["status": 201, "body": "made"]],
            "/busy": [["status": 429, "headers": ["Retry-After": "1"]], ["status": 200, "body": "fine"]],
        ])
        var logs: [String] = []
        let start = Date()
        let exchanges = HTTPMultiClient(maxInFlight: 3).send(
            ["/flaky", "/dropped", "/busy"].map { HTTPRequest(method: .post, url: peer.url + $0, body: Data("{}".utf8)) },
            retry: quickRetry([1.5]), log: { logs.append($0) })
        XCTAssertEqual(exchanges.map { $0.response?.status }, [200, 201, 200])
        XCTAssertEqual(exchanges.map(\.attempts), [2, 2, 2])
        // 500 and the dropped connection wait their step (1.5 s); the 429 waits the second it asked for.
        let gap = { (path: String) -> Double in
            let at = peer.requests(path: path).compactMap { $0["received_at"] as? Double }
            return at.count == 2 ? at[1] - at[0] : -1
        }
        XCTAssertEqual(gap("/flaky"), 1.5, accuracy: 0.4)
        XCTAssertEqual(gap("/dropped"), 1.5, accuracy: 0.4)
        XCTAssertEqual(gap("/busy"), 1.0, accuracy: 0.3, "Retry-After: 1 is honoured below the 1.5 s step")
        XCTAssertLessThan(Date().timeIntervalSince(start), 6)
        XCTAssertEqual(logs.count, 3, logs.joined(separator: "\n"))
        XCTAssertTrue(logs.contains { $0.contains("/busy returned HTTP 429 on attempt 1 of 2; retrying in 1s") }, logs.joined(separator: "\n"))
    }

    func testOtherClientErrorsAreNeverRetriedAndGiveUpKeepsTheLastResponse() throws {
        let peer = try startPeer(["/conflict": [["status": 409, "body": "duplicate"]], "/down": [["status": 503, "body": "down"]]])
        let exchanges = HTTPMultiClient().send(
            [HTTPRequest(method: .put, url: peer.url + "/conflict"), HTTPRequest(method: .put, url: peer.url + "/down")],
            retry: quickRetry([0.05, 0.05]))
        XCTAssertEqual(exchanges[0].response?.status, 409)
        XCTAssertEqual(exchanges[0].attempts, 1)
        XCTAssertEqual(exchanges[1].response?.status, 503)
        XCTAssertEqual(exchanges[1].attempts, 3)
        XCTAssertEqual(peer.requests(path: "/conflict").count, 1)
        XCTAssertEqual(peer.requests(path: "/down").count, 3)
    }

    func testNetworkFailureOnTheLastAttemptIsAnError() throws {
        let port = LoopbackPort.free()
        let exchanges = HTTPMultiClient().send([HTTPRequest(url: "http://127.0.0.1:\(port)/x", connectTimeout: 2)],
                                               retry: quickRetry([0.05]))
        XCTAssertNil(exchanges[0].response)
        XCTAssertEqual(exchanges[0].attempts, 2)
        guard case .network? = exchanges[0].error?.kind else { return XCTFail("\(String(describing: exchanges[0].error))") }
    }

    func testRateLimitPacesRequestsRetriesIncluded() throws {
        let peer = try startPeer(["/paced": [["status": 200]]])
        let requests = (0..<12).map { _ in HTTPRequest(method: .post, url: peer.url + "/paced", body: Data()) }
        let start = Date()
        let exchanges = HTTPMultiClient(maxInFlight: 8).send(requests, rateLimit: TokenBucket(rate: 10))
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(exchanges.compactMap { $0.response?.status }.count, 12)
        // 12 requests at 10/s: the first at once, the last about 1.1 s later.
        XCTAssertGreaterThanOrEqual(elapsed, 1.0)
        XCTAssertLessThan(elapsed, 4.0)
        let received = peer.requests().compactMap { $0["received_at"] as? Double }.sorted()
        for window in 0..<(received.count - 5) {
            XCTAssertGreaterThan(received[window + 5] - received[window], 0.4, "no six requests within half a second")
        }
    }

    func testCancellationAbortsTransfersInFlightAndSendsNothingMore() throws {
        var routes: [String: [[String: Any]]] = [:]
        for i in 0..<6 { routes["/hang/\(i)"] = [["status": 200, "delay": 20]] }
        let peer = try startPeer(routes)
        let client = HTTPMultiClient(maxInFlight: 2)
        let stop = Date().addingTimeInterval(0.5)
        client.abortWhen = { Date() > stop }
        let start = Date()
        let exchanges = client.send((0..<6).map { HTTPRequest(url: peer.url + "/hang/\($0)") })
        XCTAssertLessThan(Date().timeIntervalSince(start), 3, "aborted, not waited for")
        XCTAssertEqual(exchanges.map { $0.error?.kind }, Array(repeating: .cancelled, count: 6))
        XCTAssertEqual(exchanges.map(\.attempts), [1, 1, 0, 0, 0, 0])
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertEqual(peer.requests().count, 2, "nothing sent after the cancellation")
    }

    func testBadRequestsFailAloneAndConnectionsAreReused() throws {
        let peer = try startPeer(["/ok": [["status": 200, "body": "fine"]]])
        let client = HTTPMultiClient(maxInFlight: 2)
        let first = client.send([HTTPRequest(url: peer.url + "/ok"),
                                 HTTPRequest(url: peer.url + "/ok", headers: [("X-Bad", "a\r\nb")])])
        XCTAssertEqual(first[0].response?.status, 200)
        guard case .invalidRequest? = first[1].error?.kind else { return XCTFail("\(first[1])") }
        XCTAssertEqual(first[1].attempts, 0)
        let second = client.send([HTTPRequest(url: peer.url + "/ok")])
        XCTAssertEqual(second[0].response?.reusedConnection, true, "the multi handle kept the connection")
    }
}
