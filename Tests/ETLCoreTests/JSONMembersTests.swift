import XCTest
@testable import ETLCore

final class JSONMembersTests: XCTestCase {
    func testOnlyTheNamedTopLevelMembersAreParsed() throws {
        let page = #"{"results": [{"id": 1}, {"id": [2, {"x": "}"}]}], "paging": {"next": {"after": "c-200"}}, "has_more": true}"#
        let got = try JSONStreamReader.members(of: Array(page.utf8), named: ["paging", "has_more"])
        XCTAssertEqual(got.keys, ["paging", "has_more"])
        XCTAssertEqual(Value.object(got)[path: ["paging", "next", "after"]], "c-200")
        XCTAssertEqual(try JSONStreamReader.members(of: Array("[1, 2]".utf8), named: ["x"]), Fields())
        XCTAssertThrowsError(try JSONStreamReader.members(of: Array(#"{"results": [1, 2"#.utf8), named: ["has_more"]))
    }
}
