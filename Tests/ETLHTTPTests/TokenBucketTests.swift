@testable import ETLHTTP
import XCTest

final class TokenBucketTests: XCTestCase {
    final class Clock { var now = 100.0 }

    func testSlowRatesArePacedEvenlyAfterTheFirstRequest() {
        let clock = Clock()
        let bucket = TokenBucket(rate: 20, clock: { clock.now })
        XCTAssertEqual(bucket.take(), 0)
        XCTAssertEqual(bucket.take(), 0.05, accuracy: 1e-9)
        clock.now += 0.05
        XCTAssertEqual(bucket.take(), 0)
        clock.now += 10   // idle for a long time: no burst of 200 saved up
        XCTAssertEqual(bucket.take(), 0)
        XCTAssertGreaterThan(bucket.take(), 0)
    }

    func testFastRatesAllowFiftyMillisecondsWorthAtOnce() {
        let clock = Clock()
        let bucket = TokenBucket(rate: 1000, clock: { clock.now })
        clock.now += 1
        let granted = (0..<100).filter { _ in bucket.take() == 0 }.count
        XCTAssertEqual(granted, 50)
    }

    func testJitterDrawsWithinTheStepButRetryAfterIsKept() {
        var policy = RetryPolicy(backoff: [10])
        policy.jitter = 0.5
        policy.random = { 0.999 }
        XCTAssertEqual(policy.delay(beforeRetry: 0, response: nil), 5.005, accuracy: 1e-6)
        policy.random = { 0 }
        XCTAssertEqual(policy.delay(beforeRetry: 0, response: nil), 10)
        let asked = HTTPResponse(status: 429, headers: HTTPHeaders([(name: "Retry-After", value: "3")]))
        policy.random = { 0.9 }
        XCTAssertEqual(policy.delay(beforeRetry: 0, response: asked), 3)
    }
}
