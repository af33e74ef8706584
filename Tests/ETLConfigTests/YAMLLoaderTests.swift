import ETLCore
import XCTest
@testable import ETLConfig

/// Helpers shared by the YAML test files.
enum YAMLFixtures {
    static func path(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/yaml/\(name)").path
    }

    static func load(_ text: String, file: String = "p.yaml") -> YAMLLoadResult {
        YAMLLoader.load(text: text, file: file)
    }

    static func at(_ line: Int, _ column: Int, file: String = "p.yaml") -> SourceLocation {
        SourceLocation(file: file, line: line, column: column)
    }
}

final class YAMLLoaderTests: XCTestCase {
    private let at = { (line: Int, column: Int) in YAMLFixtures.at(line, column) }

    // MARK: - Locations

    func testNodesKeepOneBasedLineAndColumn() throws {
        let result = YAMLFixtures.load("""
        source:
          type: http
          urls:
            - https://a.example
            - "https://b.example"
        """)
        XCTAssertEqual(result.diagnostics, [])
        let root = try XCTUnwrap(result.root)
        XCTAssertEqual(root.location, at(1, 1))
        XCTAssertEqual(root.keyLocation("source"), at(1, 1))
        let source = try XCTUnwrap(root["source"])
        XCTAssertEqual(source.location, at(2, 3))
        XCTAssertEqual(source.keyLocation("type"), at(2, 3))
        XCTAssertEqual(source["type"]?.location, at(2, 9))
        XCTAssertEqual(source["type"]?.scalarText, "http")
        let urls = try XCTUnwrap(source["urls"]?.items)
        XCTAssertEqual(urls.map(\.location), [at(4, 7), at(5, 7)])
        XCTAssertEqual(urls[1].scalarStyle, .doubleQuoted)
        XCTAssertNil(root["missing"])
        XCTAssertNil(root.keyLocation("missing"))
    }

    func testScalarStylesAndTagsAreRecorded() throws {
        let root = try XCTUnwrap(YAMLFixtures.load("""
        a: plain
        b: 'single'
        c: "double"
        d: |
          literal
        e: >
          folded
          text
        f: !!str 10
        g:
        """).root)
        XCTAssertEqual(root["a"]?.kind, .scalar("plain", .plain))
        XCTAssertEqual(root["b"]?.kind, .scalar("single", .singleQuoted))
        XCTAssertEqual(root["c"]?.kind, .scalar("double", .doubleQuoted))
        XCTAssertEqual(root["d"]?.kind, .scalar("literal\n", .literal))
        XCTAssertEqual(root["e"]?.kind, .scalar("folded text\n", .folded))
        XCTAssertEqual(root["f"]?.tag, "tag:yaml.org,2002:str")
        XCTAssertEqual(root["f"]?.typedValue(), .string("10"))
        XCTAssertEqual(root["g"]?.isNull, true)
        XCTAssertEqual(root["a"]?.isNull, false)
        XCTAssertEqual(root.keys, ["a", "b", "c", "d", "e", "f", "g"])
    }

    // MARK: - Duplicate keys

    func testEveryDuplicateKeyIsReportedAtTheSecondKey() throws {
        let path = YAMLFixtures.path("duplicates.yaml")
        let result = YAMLLoader.load(path: path)
        XCTAssertEqual(result.diagnostics, [
            Diagnostic(.error, "duplicate key 'type' (first defined at line 3)",
                       at: SourceLocation(file: path, line: 5, column: 3), hint: "remove one of them"),
            Diagnostic(.error, "duplicate key 'source' (first defined at line 2)",
                       at: SourceLocation(file: path, line: 8, column: 1), hint: "remove one of them"),
            Diagnostic(.error, "duplicate key 'name' (first defined at line 1)",
                       at: SourceLocation(file: path, line: 9, column: 1), hint: "remove one of them"),
        ])
        // Loading goes on: the rest of the file is still there for further checks.
        let root = try XCTUnwrap(result.root)
        XCTAssertEqual(root.keys, ["name", "source", "sink"])
        XCTAssertEqual(root["source"]?["query"]?.scalarText, "select 1")
        XCTAssertEqual(root["sink"]?["type"]?.scalarText, "csv")
    }

    func testDuplicatesInsideListItemsAndFlowMappings() {
        let result = YAMLFixtures.load("""
        transforms:
          - name: a
            name: b
          - {x: 1, y: 2, x: 3}
        """)
        XCTAssertEqual(result.diagnostics.map(\.location), [at(3, 5), at(4, 18)])
        XCTAssertEqual(result.diagnostics.map(\.message), [
            "duplicate key 'name' (first defined at line 2)",
            "duplicate key 'x' (first defined at line 4)",
        ])
        XCTAssertNotNil(result.root)
    }

    // MARK: - Anchors, aliases, merge keys

    func testAnchorsAliasesAndMergeKeysFromFixture() throws {
        let path = YAMLFixtures.path("anchors.yaml")
        let result = YAMLLoader.load(path: path)
        XCTAssertEqual(result.diagnostics, [])
        let root = try XCTUnwrap(result.root)
        let source = try XCTUnwrap(root["source"])
        // Explicit `timeout` overrides the merged one; merged keys sit where `<<` was written.
        XCTAssertEqual(source.keys, ["retries", "timeout", "type", "headers"])
        XCTAssertEqual(source.typedValue(), [
            "retries": 3, "timeout": "30s", "type": "http", "headers": ["Accept": "application/json"],
        ])
        // A merged key keeps the place it was written (in `defaults`), an explicit one its own.
        XCTAssertEqual(source.keyLocation("retries"), SourceLocation(file: path, line: 3, column: 3))
        XCTAssertEqual(source["timeout"]?.location, SourceLocation(file: path, line: 9, column: 12))
        // An alias is a copy of the anchored node, placed where the alias is used.
        XCTAssertEqual(source["headers"]?.location, SourceLocation(file: path, line: 11, column: 12))
        XCTAssertEqual(source["headers"]?["Accept"]?.location, SourceLocation(file: path, line: 6, column: 11))
        let sinks = try XCTUnwrap(root["sinks"]?.items)
        XCTAssertEqual(sinks.count, 2)
        XCTAssertEqual(sinks[0].typedValue(), sinks[1].typedValue())
        XCTAssertEqual(sinks[1].location, SourceLocation(file: path, line: 16, column: 5))
    }

    func testMergeListGivesPriorityToEarlierMapsAndExplicitKeysWin() throws {
        let result = YAMLFixtures.load("""
        a: &a {x: 1, y: 1}
        b: &b {y: 2, z: 2, w: 2}
        c:
          z: 3
          <<: [*a, *b]
          x: 9
        """)
        XCTAssertEqual(result.diagnostics, [], "merged keys are not duplicates")
        let c = try XCTUnwrap(result.root?["c"])
        XCTAssertEqual(c.keys, ["z", "y", "w", "x"])
        XCTAssertEqual(c.typedValue(), ["z": 3, "y": 1, "w": 2, "x": 9])
    }

    func testMergeOfAScalarIsAnError() {
        let result = YAMLFixtures.load("""
        base: &base 5
        c:
          <<: *base
          x: 1
        """)
        XCTAssertEqual(result.diagnostics.count, 1)
        XCTAssertEqual(result.diagnostics.first?.location, at(3, 7))
        XCTAssertEqual(result.diagnostics.first?.message, "merge key '<<' needs a mapping or a list of mappings, found a scalar")
        XCTAssertEqual(result.root?["c"]?.typedValue(), ["x": 1])
    }

    func testUnknownAliasIsAnErrorAtTheAlias() {
        let result = YAMLFixtures.load("""
        source:
          type: http
          retry: *retry
        """)
        XCTAssertNil(result.root)
        XCTAssertEqual(result.diagnostics, [
            Diagnostic(.error, "unknown alias '*retry'", at: at(3, 10),
                       hint: "define the anchor with '&retry' before this point in the file"),
        ])
    }

    func testAliasExpansionIsCapped() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1..<9 {
            text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let result = YAMLFixtures.load(text)
        XCTAssertNil(result.root)
        XCTAssertEqual(result.diagnostics.first?.message, "aliases expand to more than 1000000 nodes")
    }

    // MARK: - Syntax errors

    func testTabIndentationPointsAtTheTab() {
        let path = YAMLFixtures.path("tabs.yaml")
        let result = YAMLLoader.load(path: path)
        XCTAssertNil(result.root)
        XCTAssertEqual(result.diagnostics.count, 1)
        XCTAssertEqual(result.diagnostics.first?.location, SourceLocation(file: path, line: 3, column: 1))
        XCTAssertEqual(result.diagnostics.first?.message, "tabs are not allowed for indentation; use spaces")
        XCTAssertNotNil(result.diagnostics.first?.hint)

        let afterSpaces = YAMLFixtures.load("a:\n  b: 1\n \tc: 2\n")
        XCTAssertEqual(afterSpaces.diagnostics.map(\.location), [at(3, 2)])
        XCTAssertEqual(afterSpaces.diagnostics.first?.message, "tabs are not allowed for indentation; use spaces")
    }

    func testSyntaxErrorsCarryLibyamlPositionsProblemAndContext() {
        let cases: [(String, SourceLocation, String)] = [
            ("a: 1\nb: x: y\n", at(2, 5), "YAML syntax error: mapping values are not allowed in this context"),
            ("a:\n  b: 1\n c: 2\n", at(3, 2),
             "YAML syntax error: did not find expected key (while parsing a block mapping at line 1)"),
            ("a: [1, 2\n", at(2, 1),
             "YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 1)"),
            ("name: x\nq: \"open\n", at(3, 1),
             "YAML syntax error: found unexpected end of stream (while scanning a quoted scalar at line 2)"),
            ("a: @x\n", at(1, 4),
             "YAML syntax error: found character that cannot start any token (while scanning for the next token at line 1)"),
            ("- a\n- b\nc: d\n", at(3, 1),
             "YAML syntax error: did not find expected '-' indicator (while parsing a block collection at line 1)"),
        ]
        for (text, location, message) in cases {
            let result = YAMLFixtures.load(text)
            XCTAssertNil(result.root, text)
            XCTAssertEqual(result.diagnostics.count, 1, text)
            XCTAssertEqual(result.diagnostics.first?.severity, .error, text)
            XCTAssertEqual(result.diagnostics.first?.location, location, text)
            XCTAssertEqual(result.diagnostics.first?.message, message, text)
            XCTAssertNotNil(result.diagnostics.first?.hint, text)
        }
    }

    func testInvalidUTF8IsReportedWithAPosition() {
        let result = YAMLLoader.load(bytes: Array("a: 1\nb: x".utf8) + [0xFF] + Array("\n".utf8), file: "p.yaml")
        XCTAssertNil(result.root)
        XCTAssertEqual(result.diagnostics.first?.location, at(2, 5))
        XCTAssertEqual(result.diagnostics.first?.hint, "save the file as UTF-8")
    }

    func testDeepNestingIsRefusedWithoutCrashing() {
        let text = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        let result = YAMLFixtures.load(text)
        XCTAssertNil(result.root)
        XCTAssertEqual(result.diagnostics.first?.message, "nesting is deeper than 200 levels")
    }

    // MARK: - Documents, files, encodings

    func testASecondDocumentIsAnError() throws {
        let result = YAMLFixtures.load("---\na: 1\n---\nb: 2\n")
        XCTAssertEqual(result.diagnostics.map(\.location), [at(3, 1)])
        XCTAssertEqual(result.diagnostics.first?.message, "only one YAML document is allowed per file")
        XCTAssertEqual(result.root?.typedValue(), ["a": 1])
    }

    func testEmptyFileIsAnError() {
        for text in ["", "# just a comment\n", "\n\n"] {
            let result = YAMLFixtures.load(text)
            XCTAssertNil(result.root)
            XCTAssertEqual(result.diagnostics.map(\.message), ["file is empty"], text.debugDescription)
            XCTAssertEqual(result.diagnostics.first?.location, at(1, 1))
        }
    }

    func testMissingFileNamesThePath() {
        let result = YAMLLoader.load(path: "/nonexistent/etl/pipeline.yaml")
        XCTAssertNil(result.root)
        XCTAssertEqual(result.diagnostics.count, 1)
        XCTAssertEqual(result.diagnostics.first?.severity, .error)
        XCTAssertEqual(result.diagnostics.first?.message, "file not found: /nonexistent/etl/pipeline.yaml")
    }

    func testUnreadableFileNamesThePath() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("etl-yaml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // A directory exists but cannot be read as a file, even when running as root.
        let result = YAMLLoader.load(path: dir.path)
        XCTAssertNil(result.root)
        XCTAssertEqual(result.diagnostics.first?.message, "cannot read file \(dir.path)")
    }

    func testByteOrderMarkDoesNotShiftColumns() throws {
        let path = YAMLFixtures.path("bom.yaml")
        let result = YAMLLoader.load(path: path)
        XCTAssertEqual(result.diagnostics, [])
        let root = try XCTUnwrap(result.root)
        XCTAssertEqual(root.keys, ["name", "sink"])
        XCTAssertEqual(root.keyLocation("name"), SourceLocation(file: path, line: 1, column: 1))
        XCTAssertEqual(root["name"]?.location, SourceLocation(file: path, line: 1, column: 7))
    }

    func testUnicodeKeysAndValuesArePreservedAndColumnsCountCharacters() throws {
        let result = YAMLFixtures.load("""
        名前: "Grüße 🌍"
        città: Zürich
        🎉: [ä, "ö"]
        """)
        XCTAssertEqual(result.diagnostics, [])
        let root = try XCTUnwrap(result.root)
        XCTAssertEqual(root.keys, ["名前", "città", "🎉"])
        XCTAssertEqual(root["名前"]?.scalarText, "Grüße 🌍")
        XCTAssertEqual(root["名前"]?.location, at(1, 5))
        XCTAssertEqual(root["città"]?.location, at(2, 8))
        XCTAssertEqual(root["🎉"]?.typedValue(), ["ä", "ö"])
        XCTAssertEqual(root["🎉"]?.items?[1].location, at(3, 8))
    }
}
