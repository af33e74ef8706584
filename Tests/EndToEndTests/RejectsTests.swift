import Foundation
import XCTest

/// Rejects and routes through the built binary, with file sources and sinks only:
/// what lands in the rejects file, exit code 4 past `rejects.max`, and sinks by route.
final class RejectsTests: XCTestCase {
    var directory = ""

    override func setUp() { directory = TestEnvironment.temporaryDirectory() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    private func write(_ name: String, _ text: String) throws {
        try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
    }

    private func etl(_ extra: [String] = []) throws -> CommandResult {
        try Command.run(TestEnvironment.etlBinary, ["run", directory + "/pipeline.yaml"] + extra, timeout: 60)
    }

    /// NDJSON lines of a file as objects; nil when the file does not exist.
    private func lines(_ name: String) throws -> [[String: Any]]? {
        guard let text = try? String(contentsOfFile: directory + "/" + name, encoding: .utf8) else { return nil }
        return try text.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    private func items(_ count: Int, bad: [Int: String]) -> String {
        "[" + (0..<count).map { i in bad[i] ?? #"{"sku": "SKU-\#(i)", "qty": \#(i)}"# }.joined(separator: ",\n") + "]"
    }

    private func validatePipeline(max: String) -> String {
        """
        name: rejects-e2e
        source: {type: file, path: in.json}
        transforms:
          - type: validate
            rules:
              sku: {type: string, required: true, non_empty: true}
              qty: {type: int, required: true, min: 0}
        sink: {type: file, path: out.ndjson}
        rejects:
          max: "\(max)"
          sink: {type: file, path: rejects.ndjson}
        """
    }

    func testBadRecordsGoToTheRejectsFileWithReasonsAndPosition() throws {
        try write("in.json", items(20, bad: [3: #"{"sku": "", "qty": -1}"#, 11: #"{"sku": "SKU-11", "qty": "lots"}"#]))
        try write("pipeline.yaml", validatePipeline(max: "10%"))
        let r = try etl()
        XCTAssertEqual(r.exitCode, 0, r.output)
        let out = try XCTUnwrap(try lines("out.ndjson"))
        XCTAssertEqual(out.count, 18)
        XCTAssertEqual(out.first?["sku"] as? String, "SKU-0")
        let rejects = try XCTUnwrap(try lines("rejects.ndjson"))
        XCTAssertEqual(rejects.map { $0["_position"] as? Int }, [3, 11])
        XCTAssertEqual(rejects.map { $0["_stage"] as? String }, ["validate", "validate"])
        XCTAssertEqual(rejects[0]["_reasons"] as? [String], ["sku is empty", "qty = -1 is below the minimum 0"])
        XCTAssertEqual(rejects[1]["_reasons"] as? [String], [#"qty must be an integer, found string "lots""#])
        // The record itself, as it came in.
        XCTAssertEqual(rejects[1]["sku"] as? String, "SKU-11")
        XCTAssertEqual(rejects[1]["qty"] as? String, "lots")
        XCTAssertNotNil(rejects[0]["_run_id"] as? String)
        // Each reject is logged with its position.
        XCTAssertTrue(r.stderr.contains("record 4 (the 4th from the source) rejected by validate: sku is empty; qty = -1 is below the minimum 0"), r.stderr)
        XCTAssertTrue(r.stderr.contains("records_rejected=2"), r.output)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).sorted(),
                       ["in.json", "out.ndjson", "pipeline.yaml", "rejects.ndjson"], "no temporary files left")
    }

    func testElementsThatAreNotObjectsAreRejectedBySource() throws {
        try write("in.json", #"[{"sku": "A", "qty": 1}, 42, "text", {"sku": "B", "qty": 2}]"#)
        try write("pipeline.yaml", validatePipeline(max: "2"))
        let r = try etl()
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(try lines("out.ndjson")?.map { $0["sku"] as? String }, ["A", "B"])
        let rejects = try XCTUnwrap(try lines("rejects.ndjson"))
        XCTAssertEqual(rejects.map { $0["_position"] as? Int }, [1, 2])
        XCTAssertEqual(rejects.map { $0["_stage"] as? String }, ["source", "source"])
        XCTAssertEqual(rejects[0]["value"] as? Int, 42)
        XCTAssertEqual(rejects[0]["_reasons"] as? [String], ["expected an object, found int"])
    }

    func testPastTheLimitExitsFourAndWritesNoOutput() throws {
        try write("in.json", items(10, bad: [1: #"{"qty": 1}"#, 4: #"{"sku": "X", "qty": 1.5}"#]))
        try write("pipeline.yaml", validatePipeline(max: "10%"))
        let r = try etl()
        XCTAssertEqual(r.exitCode, 4, r.output)
        XCTAssertTrue(r.stderr.contains("2 of 10 records rejected (20.00%), more than rejects.max 10.00%; rolled back"), r.stderr)
        XCTAssertNil(try lines("out.ndjson"), "the file sink commits only when the run does")
        XCTAssertEqual(try lines("rejects.ndjson")?.count, 2, "the rejects of a rolled-back run are kept: they say why")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).sorted(), ["in.json", "pipeline.yaml", "rejects.ndjson"],
                       "no temporary files left")
        // The same input within a count limit passes; an existing output is replaced only then.
        try write("pipeline.yaml", validatePipeline(max: "2"))
        XCTAssertEqual(try etl().exitCode, 0)
        XCTAssertEqual(try lines("out.ndjson")?.count, 8)
        try write("pipeline.yaml", validatePipeline(max: "1"))
        let again = try etl()
        XCTAssertEqual(again.exitCode, 4, again.output)
        XCTAssertTrue(again.stderr.contains("2 records rejected, more than rejects.max 1; rolled back"), again.stderr)
        XCTAssertEqual(try lines("out.ndjson")?.count, 8, "the previous output is untouched")
    }

    func testRouteWritesEachSinkItsOwnRecords() throws {
        try write("in.json", """
            [{"id": 1, "event": "created"}, {"id": 2, "event": "deleted"}, {"id": 3, "event": "updated"},
             {"id": 4, "event": "deleted"}, {"id": 5, "event": "archived"}]
            """)
        try write("pipeline.yaml", """
            name: route-e2e
            source: {type: file, path: in.json}
            transforms:
              - type: route
                routes:
                  - {name: upsert, when: event == "created" or event == "updated"}
                  - {name: delete, when: event == "deleted"}
            sinks:
              - {type: file, path: upsert.ndjson, route: upsert}
              - {type: file, path: delete.ndjson, route: delete}
              - {type: file, path: all.ndjson}
            """)
        let r = try etl()
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(try lines("upsert.ndjson")?.map { $0["id"] as? Int }, [1, 3])
        XCTAssertEqual(try lines("delete.ndjson")?.map { $0["id"] as? Int }, [2, 4])
        // A sink without `route:` takes every routed record; the unmatched one (no default) is dropped.
        XCTAssertEqual(try lines("all.ndjson")?.map { $0["id"] as? Int }, [1, 2, 3, 4])
        XCTAssertTrue(r.stderr.contains("records_written=8"), r.output)
    }

    func testRouteDefaultAndDryRunWritesNothing() throws {
        try write("in.json", #"[{"id": 1, "n": 5}, {"id": 2, "n": 500}, {"id": 3}]"#)
        try write("pipeline.yaml", """
            name: route-default-e2e
            source: {type: file, path: in.json}
            transforms:
              - type: route
                routes: [{name: big, when: n >= 100}]
                default: small
            sinks:
              - {type: file, path: big.ndjson, route: big}
              - {type: file, path: small.ndjson, route: small}
            """)
        let dry = try etl(["--dry-run"])
        XCTAssertEqual(dry.exitCode, 0, dry.output)
        XCTAssertNil(try lines("big.ndjson"))
        XCTAssertNil(try lines("small.ndjson"))
        let r = try etl()
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(try lines("big.ndjson")?.map { $0["id"] as? Int }, [2])
        XCTAssertEqual(try lines("small.ndjson")?.map { $0["id"] as? Int }, [1, 3])
    }
}
