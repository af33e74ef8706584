import XCTest
@testable import ETLCore

/// Messages stay readable: capped at 2 KB with a marker saying how much was cut.
final class MessageLimitsTests: XCTestCase {
    func testLongMessagesAreCutWithAMarker() {
        let long = String(repeating: "9", count: 100_000)
        let message = "qty = \(long) is too large"
        let capped = MessageCap.cap(message)
        XCTAssertLessThan(capped.utf8.count, MessageCap.limit + 64)
        XCTAssertTrue(capped.hasSuffix("[message cut: \(message.utf8.count - MessageCap.limit) more bytes]"), String(capped.suffix(60)))
        XCTAssertEqual(MessageCap.cap("short"), "short")
        // Never inside a character.
        let accents = MessageCap.cap(String(repeating: "é", count: 2000))
        XCTAssertTrue(accents.hasPrefix(String(repeating: "é", count: 1024) + " … [message cut"), String(accents.prefix(20)))
    }

    func testLoggerCapsLinesAfterRedacting() {
        var lines: [String] = []
        let logger = Logger(write: { lines.append($0) })
        logger.error(String(repeating: "x", count: 10_000))
        XCTAssertLessThan(lines[0].utf8.count, MessageCap.limit + 100)
        XCTAssertTrue(lines[0].contains("[message cut: "), lines[0])
    }
}
