import Foundation
import XCTest

/// docs/reliability.md's fault matrix names, for every fault, the test that
/// checks it. This keeps the table honest: a row without a test, or naming a
/// test that does not exist (and is not marked "(pending)"), fails.
final class FaultMatrixTests: XCTestCase {
    struct Row { var line: Int; var cells: [String] }

    static func matrixRows(_ markdown: String) -> [Row] {
        var rows: [Row] = []
        var inMatrix = false, sawHeader = false
        for (i, raw) in markdown.components(separatedBy: "\n").enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("## ") { inMatrix = line == "## Matrix"; continue }
            guard inMatrix, line.hasPrefix("|") else { continue }
            if line.hasPrefix("|---") || line.hasPrefix("| ---") { continue }
            if !sawHeader { sawHeader = true; continue }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            rows.append(Row(line: i + 1, cells: cells))
        }
        return rows
    }

    /// Every `Class/method` defined under Tests/.
    static func definedTests() throws -> Set<String> {
        var out = Set<String>()
        let root = TestEnvironment.repoRoot + "/Tests"
        let files = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".swift") }
        let classPattern = try NSRegularExpression(pattern: #"^\s*(?:final\s+)?class\s+(\w+)\s*:\s*XCTestCase"#, options: .anchorsMatchLines)
        let methodPattern = try NSRegularExpression(pattern: #"^\s*func\s+(test\w*)\s*\("#, options: .anchorsMatchLines)
        for file in files {
            let text = try String(contentsOfFile: root + "/" + file, encoding: .utf8)
            // Methods belong to the nearest class declared above them.
            var classes: [(Int, String)] = []
            for m in classPattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                classes.append((m.range.location, (text as NSString).substring(with: m.range(at: 1))))
            }
            for m in methodPattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let owner = classes.last(where: { $0.0 < m.range.location }) else { continue }
                out.insert(owner.1 + "/" + (text as NSString).substring(with: m.range(at: 1)))
            }
        }
        return out
    }

    func testEveryFaultNamesATestThatExists() throws {
        let doc = TestEnvironment.repoRoot + "/docs/reliability.md"
        let rows = Self.matrixRows(try String(contentsOfFile: doc, encoding: .utf8))
        XCTAssertGreaterThan(rows.count, 20, "the matrix table was not found under '## Matrix' in \(doc)")
        let defined = try Self.definedTests()
        XCTAssertTrue(defined.contains("FaultMatrixTests/testEveryFaultNamesATestThatExists"), "the test index works")
        for row in rows {
            let place = "docs/reliability.md:\(row.line)"
            guard row.cells.count == 4 else { XCTFail("\(place): expected 4 columns, found \(row.cells.count)"); continue }
            let names = row.cells[3].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            XCTAssertFalse(names.isEmpty, "\(place): '\(row.cells[1])' names no test")
            for name in names {
                let pending = name.hasSuffix("(pending)")
                let test = pending ? name.dropLast("(pending)".count).trimmingCharacters(in: .whitespaces) : name
                XCTAssertNotNil(test.range(of: #"^\w+/test\w+$"#, options: .regularExpression),
                                "\(place): '\(name)' is not Class/testMethod")
                if !pending {
                    XCTAssertTrue(defined.contains(test), "\(place): no test \(test) in Tests/ (mark it '(pending)' if another branch adds it)")
                }
            }
        }
    }

    func testTheCheckerRejectsMissingAndUnnamedTests() throws {
        let sample = """
            ## Matrix
            | Area | Fault | Asserted | Test |
            |---|---|---|---|
            | A | named | x | FaultMatrixTests/testEveryFaultNamesATestThatExists |
            | A | none | x |  |
            | A | later | x | SomeTests/testNotYetWritten (pending) |
            ## After
            | not | part | of | it |
            """
        let rows = Self.matrixRows(sample)
        XCTAssertEqual(rows.map(\.cells.last), ["FaultMatrixTests/testEveryFaultNamesATestThatExists", "", "SomeTests/testNotYetWritten (pending)"])
        XCTAssertFalse(try Self.definedTests().contains("SomeTests/testNotYetWritten"))
    }
}
