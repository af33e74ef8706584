import Foundation
import XCTest
import ETLCore
@testable import ETLConnectors

/// The http source's `incremental:` block: which cursor goes out, which one is kept.
final class IncrementalCursorTests: XCTestCase {
    var peer: ScriptedHTTPPeer?
    override func tearDown() { peer?.stop() }

    let contacts = """
        [{"id": 1, "updatedAt": "2024-05-01T10:00:00Z"},
         {"id": 2, "updatedAt": "2024-05-01T12:30:00+02:00"},
         {"id": 3, "updatedAt": "2024-05-01T10:59:59.500Z"},
         {"id": 4}]
        """

    func source(_ url: String, initial: Bool = true) throws -> Source {
        try SourceHarness.source("http", """
            url: \(url)
            incremental: {cursor_field: updatedAt, param: modifiedSince\(initial ? ", initial: \"2024-01-01T00:00:00Z\"" : "")}
            """)
    }

    func testFirstRunSendsInitialAndKeepsTheLatestInstantSeen() throws {
        let p = try ScriptedHTTPPeer(routes: ["/c": [["status": 200, "body": contacts]]])
        peer = p
        let context = SourceHarness.context()
        XCTAssertEqual(try SourceHarness.read(try source(p.url + "/c"), context).count, 4)
        XCTAssertEqual(p.queries(path: "/c"), ["modifiedSince=2024-01-01T00%3A00%3A00Z"])
        // 12:30+02:00 is 10:30Z: earlier than 10:59:59.5Z, whatever the text says.
        XCTAssertEqual(context.stateToSave["cursor"], .string("2024-05-01T10:59:59.500Z"))
    }

    func testSavedStateWinsOverInitial() throws {
        let p = try ScriptedHTTPPeer(routes: ["/c": [["status": 200, "body": "[]"]]])
        peer = p
        let context = SourceHarness.context(state: Fields([("cursor", .string("2024-06-01T00:00:00+02:00"))]))
        XCTAssertEqual(try SourceHarness.read(try source(p.url + "/c"), context).count, 0)
        XCTAssertEqual(p.queries(path: "/c"), ["modifiedSince=2024-06-01T00%3A00%3A00%2B02%3A00"])
        // Nothing new: the cursor stays where it was.
        XCTAssertEqual(context.stateToSave["cursor"], .string("2024-06-01T00:00:00+02:00"))
    }

    func testOlderRecordsNeverMoveTheCursorBack() throws {
        let p = try ScriptedHTTPPeer(routes: ["/c": [["status": 200, "body": contacts]]])
        peer = p
        let context = SourceHarness.context(state: Fields([("cursor", .string("2025-01-01T00:00:00Z"))]))
        _ = try SourceHarness.read(try source(p.url + "/c"), context)
        XCTAssertEqual(context.stateToSave["cursor"], .string("2025-01-01T00:00:00Z"))
    }

    func testWithoutStateOrInitialNoParameterIsSent() throws {
        let p = try ScriptedHTTPPeer(routes: ["/c": [["status": 200, "body": contacts]]])
        peer = p
        let context = SourceHarness.context()
        _ = try SourceHarness.read(try source(p.url + "/c?x=1", initial: false), context)
        XCTAssertEqual(p.queries(path: "/c"), ["x=1"])
        XCTAssertEqual(context.stateToSave["cursor"], .string("2024-05-01T10:59:59.500Z"))
    }

    func testCursorWorksWithPaginationAcrossPages() throws {
        let p = try ScriptedHTTPPeer(routes: ["/c": [
            ["status": 200, "body": "{\"data\": [{\"v\": 5}, {\"v\": 9}], \"next\": \"n2\"}"],
            ["status": 200, "body": "{\"data\": [{\"v\": 12}, {\"v\": 7}]}"],
        ]])
        peer = p
        let s = try SourceHarness.source("http", """
            url: \(p.url)/c
            record_path: data
            paginate: {style: cursor, cursor_path: next}
            incremental: {cursor_field: v, param: since, initial: "0"}
            """)
        let context = SourceHarness.context()
        _ = try SourceHarness.read(s, context)
        XCTAssertEqual(p.queries(path: "/c"), ["since=0", "since=0&cursor=n2"])
        XCTAssertEqual(context.stateToSave["cursor"], .int(12), "numbers compare as numbers: 12 > 9")
    }

    func testAFailedReadSavesNothing() throws {
        let p = try ScriptedHTTPPeer(routes: ["/c": [
            ["status": 200, "body": "{\"data\": [{\"v\": 5}], \"next\": \"n2\"}"], ["status": 404],
        ]])
        peer = p
        let s = try SourceHarness.source("http", """
            url: \(p.url)/c
            record_path: data
            paginate: {style: cursor, cursor_path: next}
            incremental: {cursor_field: v, param: since}
            """)
        let context = SourceHarness.context()
        XCTAssertThrowsError(try SourceHarness.read(s, context))
        XCTAssertNil(context.stateToSave["cursor"])
    }

    func testCursorOrder() {
        XCTAssertTrue(CursorOrder.isGreater("2024-05-01T10:00:01Z", than: "2024-05-01T10:00:00Z"))
        XCTAssertFalse(CursorOrder.isGreater("2024-05-01T12:00:00+02:00", than: "2024-05-01T10:30:00Z"))
        XCTAssertTrue(CursorOrder.isGreater("2024-05-01T10:00:00.5Z", than: "2024-05-01T10:00:00Z"))
        XCTAssertTrue(CursorOrder.isGreater("2024-05-02", than: "2024-05-01T23:00:00Z"))
        XCTAssertTrue(CursorOrder.isGreater("2024-05-01 10:00:01Z", than: "2024-05-01T10:00:00Z"))
        XCTAssertTrue(CursorOrder.isGreater(.int(10), than: .int(9)))
        XCTAssertTrue(CursorOrder.isGreater("10", than: "9"), "numeric text compares as numbers")
        XCTAssertTrue(CursorOrder.isGreater(.double(2.5), than: .int(2)))
        XCTAssertTrue(CursorOrder.isGreater("b", than: "a"))
        XCTAssertTrue(CursorOrder.isGreater(.timestamp(Date(timeIntervalSince1970: 100)), than: "1970-01-01T00:01:00Z"))
    }
}
