import ETLCore
import XCTest
@testable import ETLConfig

final class YAMLOverrideTests: XCTestCase {
    private let setLocation = SourceLocation(file: "--set", line: 1, column: 1)

    private func root(_ text: String) throws -> YAMLNode {
        try XCTUnwrap(YAMLFixtures.load(text).root)
    }

    private func value(_ text: String) -> YAMLNode {
        YAMLNode.parseScalarOverride(text, location: setLocation)
    }

    private let pipeline = """
    source:
      type: http
      retry:
        attempts: 3
    transforms:
      - type: filter
        rules: [a]
      - type: map
    """

    func testReplacesAnExistingNestedKeyInPlace() throws {
        let updated = try root(pipeline).withValue(at: ["source", "retry", "attempts"], value("10"))
        XCTAssertEqual(updated["source"]?["retry"]?["attempts"]?.typedValue(), 10)
        XCTAssertEqual(updated["source"]?["retry"]?["attempts"]?.location, setLocation)
        XCTAssertEqual(updated["source"]?.keys, ["type", "retry"])
        // The key keeps its place in the file; only the value comes from --set.
        XCTAssertEqual(updated["source"]?["retry"]?.keyLocation("attempts"), YAMLFixtures.at(4, 5))
    }

    func testCreatesMissingMappingsOnTheWay() throws {
        let updated = try root(pipeline).withValue(at: ["sink", "options", "path"], value("out.csv"))
        XCTAssertEqual(updated.keys, ["source", "transforms", "sink"])
        XCTAssertEqual(updated["sink"]?.typedValue(), ["options": ["path": "out.csv"]])
    }

    func testReplacesAScalarOnThePathWithAMapping() throws {
        let updated = try root("source: none\n").withValue(at: ["source", "type"], value("csv"))
        XCTAssertEqual(updated.typedValue(), ["source": ["type": "csv"]])
    }

    func testNumericPartsIndexIntoSequences() throws {
        let base = try root(pipeline)
        let updated = base.withValue(at: ["transforms", "0", "rules"], value("[x, y]"))
        XCTAssertEqual(updated["transforms"]?.typedValue(), [["type": "filter", "rules": ["x", "y"]], ["type": "map"]])
        let replaced = base.withValue(at: ["transforms", "1"], value("{type: drop}"))
        XCTAssertEqual(replaced["transforms"]?.items?[1].typedValue(), ["type": "drop"])
        let appended = base.withValue(at: ["transforms", "2", "type"], value("dedupe"))
        XCTAssertEqual(appended["transforms"]?.items?.count, 3)
        XCTAssertEqual(appended["transforms"]?.items?[2].typedValue(), ["type": "dedupe"])
        // A mapping key that looks like a number is still just a key.
        let numericKey = try root("codes:\n  200: ok\n").withValue(at: ["codes", "404"], value("missing"))
        XCTAssertEqual(numericKey["codes"]?.keys, ["200", "404"])
    }

    func testPathsThatCannotBeFollowedAreReported() throws {
        let base = try root(pipeline)
        XCTAssertEqual(base.withValue(at: ["transforms", "5", "type"], value("x")), base)
        XCTAssertThrowsError(try base.settingValue(at: ["transforms", "5", "type"], to: value("x"))) { error in
            XCTAssertEqual((error as? ETLError)?.message, "cannot set 'transforms.5': the list has 2 item(s)")
            XCTAssertEqual((error as? ETLError)?.location, YAMLFixtures.at(6, 3))
        }
        XCTAssertThrowsError(try base.settingValue(at: ["transforms", "first"], to: value("x"))) { error in
            XCTAssertEqual((error as? ETLError)?.message,
                           "cannot set 'transforms.first': 'transforms' is a list, so 'first' must be an index")
        }
    }

    func testEmptyPathReplacesTheWholeNode() throws {
        XCTAssertEqual(try root("a: 1\n").withValue(at: [], value("5")).typedValue(), 5)
    }

    func testOverrideValuesAreParsedAsYAML() {
        XCTAssertEqual(value("10").typedValue(), 10)
        XCTAssertEqual(value("2.5").typedValue(), .double(2.5))
        XCTAssertEqual(value("true").typedValue(), true)
        XCTAssertEqual(value("null").typedValue(), nil)
        XCTAssertEqual(value("").typedValue(), nil)
        XCTAssertEqual(value("\"10\"").typedValue(), "10")
        XCTAssertEqual(value("[1s,2s]").typedValue(), ["1s", "2s"])
        XCTAssertTrue(value("[1s,2s]").isSequence)
        XCTAssertEqual(value("{a: 1, b: [x]}").typedValue(), ["a": 1, "b": ["x"]])
        XCTAssertEqual(value("https://host:8080/x?y=1").typedValue(), "https://host:8080/x?y=1")
        XCTAssertEqual(value("hello world").typedValue(), "hello world")
    }

    func testTextThatIsNotValidYAMLStaysAString() {
        for text in ["@daily", "#channel", "*star", "a: b: c", "[unclosed", "`tick`", "x\n---\ny"] {
            let node = value(text)
            XCTAssertEqual(node.typedValue(), .string(text), text)
            XCTAssertEqual(node.location, setLocation, text)
        }
    }

    func testParsedOverrideNodesPointAtTheCommandLineValue() {
        let location = SourceLocation(file: "--set", line: 1, column: 15)
        let node = YAMLNode.parseScalarOverride("[1s, 2s]", location: location)
        XCTAssertEqual(node.location, location)
        XCTAssertEqual(node.items?.map(\.location.column), [16, 20])
        XCTAssertEqual(node.items?.first?.location.file, "--set")
    }
}
