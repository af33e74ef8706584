import Foundation
import XCTest
import ETLCore
@testable import ETLConnectors

/// The http source's `paginate:` styles against a real HTTP server on loopback:
/// what was asked for (query strings), what came out, and when it stopped.
final class HTTPPaginationTests: XCTestCase {
    var peer: ScriptedHTTPPeer?
    override func tearDown() { peer?.stop() }

    /// A JSON array of `count` records numbered from `from`.
    static func items(_ from: Int, _ count: Int) -> String {
        "[" + (from..<(from + count)).map { "{\"n\": \($0)}" }.joined(separator: ",") + "]"
    }

    func source(_ yaml: String) throws -> Source {
        try SourceHarness.source("http", yaml)
    }

    func testOffsetStyleAdvancesByRecordsAndStopsOnAShortPage() throws {
        let p = try ScriptedHTTPPeer(routes: ["/records": [
            ["status": 200, "body": Self.items(0, 3)], ["status": 200, "body": Self.items(3, 3)], ["status": 200, "body": Self.items(6, 2)],
        ]])
        peer = p
        let s = try source("""
            url: \(p.url)/records?entity=contacts
            paginate: {style: offset, limit: 3}
            """)
        let records = try SourceHarness.read(s, SourceHarness.context())
        XCTAssertEqual(records.map { $0["n"]?.intValue }, (0..<8).map { Int64($0) })
        XCTAssertEqual(records.map(\.position), Array(0..<8), "positions count on across pages")
        XCTAssertEqual(p.queries(path: "/records"), ["entity=contacts&limit=3&offset=0", "entity=contacts&limit=3&offset=3",
                                                      "entity=contacts&limit=3&offset=6"])
    }

    func testOffsetStyleStopsWhenHasMoreIsFalseEvenOnAFullPage() throws {
        let p = try ScriptedHTTPPeer(routes: ["/r": [
            ["status": 200, "body": "{\"data\": \(Self.items(0, 2)), \"has_more\": true}"],
            ["status": 200, "body": "{\"data\": \(Self.items(2, 2)), \"has_more\": false}"],
            ["status": 200, "body": "{\"data\": \(Self.items(4, 2)), \"has_more\": false}"],
        ]])
        peer = p
        let s = try source("""
            url: \(p.url)/r
            record_path: data
            paginate: {style: offset, limit: 2, offset_param: skip, limit_param: take, has_more_path: has_more}
            """)
        let records = try SourceHarness.read(s, SourceHarness.context())
        XCTAssertEqual(records.count, 4)
        XCTAssertEqual(p.queries(path: "/r"), ["take=2&skip=0", "take=2&skip=2"])
    }

    func testPageStyleCountsPagesFromStartPageAndStopsOnAnEmptyPage() throws {
        let p = try ScriptedHTTPPeer(routes: ["/s": [
            ["status": 200, "body": Self.items(0, 2)], ["status": 200, "body": Self.items(2, 2)], ["status": 200, "body": "[]"],
        ]])
        peer = p
        let s = try source("""
            url: \(p.url)/s
            paginate: {style: page, start_page: 0, page_param: p}
            """)
        let records = try SourceHarness.read(s, SourceHarness.context())
        XCTAssertEqual(records.count, 4)
        XCTAssertEqual(records.last?.position, 3)
        XCTAssertEqual(p.queries(path: "/s"), ["p=0", "p=1", "p=2"])
    }

    func testCursorStyleFollowsTheBodyCursorUntilItIsMissing() throws {
        let p = try ScriptedHTTPPeer(routes: ["/c": [
            ["status": 200, "body": "{\"results\": \(Self.items(0, 2)), \"paging\": {\"next\": {\"after\": \"abc+/=\"}}}"],
            ["status": 200, "body": "{\"results\": \(Self.items(2, 2)), \"paging\": {\"next\": {\"after\": \"def\"}}}"],
            ["status": 200, "body": "{\"results\": \(Self.items(4, 1)), \"paging\": {}}"],
        ]])
        peer = p
        let s = try source("""
            url: \(p.url)/c
            record_path: results
            paginate: {style: cursor, cursor_param: after, cursor_path: paging.next.after}
            """)
        let records = try SourceHarness.read(s, SourceHarness.context())
        XCTAssertEqual(records.map(\.position), [0, 1, 2, 3, 4])
        XCTAssertEqual(p.queries(path: "/c"), ["", "after=abc%2B%2F%3D", "after=def"])
    }

    func testCursorStyleRefusesToLoopOnARepeatedCursor() throws {
        let p = try ScriptedHTTPPeer(routes: ["/c": [
            ["status": 200, "body": "{\"results\": \(Self.items(0, 1)), \"next\": \"same\"}"],
        ]])
        peer = p
        let s = try source("""
            url: \(p.url)/c
            record_path: results
            paginate: {style: cursor, cursor_path: next}
            """)
        XCTAssertThrowsError(try SourceHarness.read(s, SourceHarness.context())) { error in
            XCTAssertTrue("\(error)".contains("same next-page cursor"), "\(error)")
        }
        XCTAssertEqual(p.requests(path: "/c").count, 2)
    }

    func testLinkHeaderStyleReadsEveryPage() throws {
        let p = try ScriptedHTTPPeer(routes: ["/l": [
            ["status": 200, "body": Self.items(0, 2), "headers": ["Link": "</l?page=2>; rel=\"next\", </l?page=3>; rel=\"last\""]],
            ["status": 200, "body": Self.items(2, 2), "headers": ["Link": "<l?page=3>; rel=\"next\""]],
            ["status": 200, "body": Self.items(4, 1)],
        ]])
        peer = p
        let s = try source("""
            url: \(p.url)/l
            paginate: {style: link_header}
            """)
        let records = try SourceHarness.read(s, SourceHarness.context())
        XCTAssertEqual(records.count, 5)
        XCTAssertEqual(p.queries(path: "/l"), ["", "page=2", "page=3"])
    }

    func testMaxPagesStopsWithAWarningAndKeepsWhatWasRead() throws {
        let p = try ScriptedHTTPPeer(routes: ["/m": [["status": 200, "body": Self.items(0, 2)]]])
        peer = p
        let s = try source("""
            url: \(p.url)/m
            paginate: {style: page, limit: 2, max_pages: 3}
            """)
        let log = SourceLog()
        let records = try SourceHarness.read(s, SourceHarness.context(log: log))
        XCTAssertEqual(records.count, 6)
        XCTAssertEqual(p.requests(path: "/m").count, 3)
        XCTAssertTrue(log.text.contains("max_pages"), log.text)
    }

    func testEveryPageIsRetriedOnServerErrors() throws {
        let p = try ScriptedHTTPPeer(routes: ["/e": [
            ["status": 200, "body": Self.items(0, 2)], ["status": 503], ["status": 200, "body": Self.items(2, 1)],
        ]])
        peer = p
        let s = try source("""
            url: \(p.url)/e
            retry: {backoff: [10ms, 10ms]}
            paginate: {style: offset, limit: 2}
            """)
        let records = try SourceHarness.read(s, SourceHarness.context())
        XCTAssertEqual(records.count, 3)
        XCTAssertEqual(p.queries(path: "/e"), ["limit=2&offset=0", "limit=2&offset=2", "limit=2&offset=2"])
    }

    func testEachPageIsArchivedWithAPageSuffixAfterTheFirst() throws {
        let p = try ScriptedHTTPPeer(routes: ["/a": [["status": 200, "body": Self.items(0, 2)], ["status": 200, "body": Self.items(2, 1)]]])
        peer = p
        let archive = NSTemporaryDirectory() + "etl-archive-" + UUID().uuidString.prefix(8)
        let s = try source("""
            url: \(p.url)/a
            paginate: {style: offset, limit: 2}
            archive: {url: \(archive), key: "x/run.json"}
            """)
        let context = SourceHarness.context()
        _ = try SourceHarness.read(s, context)
        XCTAssertEqual(try String(contentsOfFile: archive + "/x/run.json", encoding: .utf8), Self.items(0, 2))
        XCTAssertEqual(try String(contentsOfFile: archive + "/x/run_p0002.json", encoding: .utf8), Self.items(2, 1))
        XCTAssertEqual(context.metrics.value("archive_path")?.text, archive + "/x/run.json")
    }

    func testInvalidPaginationOptionsAreConfigurationErrors() throws {
        XCTAssertThrowsError(try source("url: http://x/\npaginate: {style: offset}")) {
            XCTAssertTrue("\($0)".contains("needs `limit`"), "\($0)")
        }
        XCTAssertThrowsError(try source("url: http://x/\npaginate: {style: cursor}")) {
            XCTAssertTrue("\($0)".contains("cursor_path"), "\($0)")
        }
        XCTAssertThrowsError(try source("url: http://x/\nformat: csv\npaginate: {style: page, has_more_path: more}"))
        XCTAssertThrowsError(try SourceHarness.options(.source, "http", "url: http://x/\npaginate: {style: sideways}"))
    }

    // MARK: pieces

    func testQueryParametersAreReplacedAndEncoded() {
        XCTAssertEqual(URLQuery.setting("http://h/p?a=1&offset=5#f", [("offset", "10"), ("since", "2024-01-01T00:00:00+02:00")]),
                       "http://h/p?a=1&offset=10&since=2024-01-01T00%3A00%3A00%2B02%3A00#f")
        XCTAssertEqual(URLQuery.setting("http://h/p", []), "http://h/p")
        XCTAssertEqual(URLQuery.setting("http://h/p", [("q", "a b&c")]), "http://h/p?q=a%20b%26c")
    }

    func testLinkHeaderParsing() {
        let base = "https://api.example.com/items?page=1"
        XCTAssertEqual(URLQuery.nextLink(["<https://api.example.com/items?page=2>; rel=\"next\""], relativeTo: base),
                       "https://api.example.com/items?page=2")
        XCTAssertEqual(URLQuery.nextLink(["</items?page=3&a=1,2>; rel=\"last\", </items?page=2>; rel=next"], relativeTo: base),
                       "https://api.example.com/items?page=2")
        XCTAssertEqual(URLQuery.nextLink(["<https://x/2>; rel=\"prev next\""], relativeTo: base), "https://x/2")
        XCTAssertNil(URLQuery.nextLink(["<https://x/1>; rel=\"prev\""], relativeTo: base))
        XCTAssertNil(URLQuery.nextLink([], relativeTo: base))
    }

    func testArchiveKeyPageSuffix() {
        XCTAssertEqual(ArchiveOptions.withPageSuffix("a/b/shipments_20240101.json", 2), "a/b/shipments_20240101_p0002.json")
        XCTAssertEqual(ArchiveOptions.withPageSuffix("a.b/raw", 12), "a.b/raw_p0012")
        XCTAssertEqual(ArchiveOptions.withPageSuffix("x.tar.gz", 10000), "x.tar_p10000.gz")
    }
}
