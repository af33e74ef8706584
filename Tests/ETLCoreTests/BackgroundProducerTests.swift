import ETLCore
import Foundation
import XCTest

final class BackgroundProducerTests: XCTestCase {
    struct Boom: Error, Equatable { let n: Int }

    func testItemsArriveInOrder() throws {
        var seen: [Int] = []
        try BackgroundProducer.run(capacity: 2, produce: { yield in
            for i in 0..<1000 { guard yield(i) else { return } }
        }, consume: { seen.append($0) })
        XCTAssertEqual(seen, Array(0..<1000))
    }

    func testProducerErrorComesAfterTheItemsMadeBeforeIt() {
        var seen: [Int] = []
        XCTAssertThrowsError(try BackgroundProducer.run(produce: { yield in
            for i in 0..<5 { _ = yield(i) }
            throw Boom(n: 5)
        }, consume: { seen.append($0) })) { XCTAssertEqual($0 as? Boom, Boom(n: 5)) }
        XCTAssertEqual(seen, [0, 1, 2, 3, 4])
    }

    func testConsumerErrorStopsTheProducerBeforeReturning() {
        let producerReturned = NSLock()
        var returned = false
        var yieldedAfterStop = 0
        XCTAssertThrowsError(try BackgroundProducer.run(capacity: 1, produce: { yield in
            var i = 0
            while yield(i) { i += 1 }
            yieldedAfterStop = i
            producerReturned.lock(); returned = true; producerReturned.unlock()
        }, consume: { (i: Int) in if i == 3 { throw Boom(n: i) } })) { XCTAssertEqual($0 as? Boom, Boom(n: 3)) }
        producerReturned.lock(); XCTAssertTrue(returned); producerReturned.unlock()
        XCTAssertLessThanOrEqual(yieldedAfterStop, 6, "a full queue blocks the producer")
    }
}
