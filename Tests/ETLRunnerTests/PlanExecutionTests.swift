import Foundation
import XCTest
import ETLCore
import ETLConfig
@testable import ETLRunner

/// A plan is compiled once and executed many times (a served pipeline runs one
/// execution per inbox batch): each execution starts clean and commits alone.
final class PlanExecutionTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "etl-plan-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func testOnePlanExecutedTwiceGivesTheSameOutputEachTime() throws {
        try #"[{"sku": "a", "qty": 1}, {"sku": "a", "qty": 2}, {"sku": "b", "qty": 3}]"#
            .write(toFile: directory + "/in.json", atomically: true, encoding: .utf8)
        let yaml = """
        name: twice
        source: {type: file, path: in.json}
        transforms:
          - {type: dedupe, key: sku, keep: first}
        sink: {type: file, path: out.ndjson}
        """
        try yaml.write(toFile: directory + "/twice.yaml", atomically: true, encoding: .utf8)
        let loaded = PipelineLoader(registry: Registry.make(), environment: [:]).load(path: directory + "/twice.yaml")
        let spec = try XCTUnwrap(loaded.spec, "\(loaded.diagnostics)")
        let plan = try PipelinePlan(spec, registry: Registry.make(), dryRun: false)

        for execution in 1...2 {
            let context = RunContext(runID: "r\(execution)", pipeline: "twice", logger: Logger(write: { _ in }))
            let report = try Execution(plan: plan, context: context, previewLimit: 0).run(reading: plan.source)
            XCTAssertEqual(report.written, 2, "execution \(execution)")
            XCTAssertEqual(context.metrics.count("records_deduplicated"), 1, "execution \(execution) counts its own duplicates")
            let lines = try String(contentsOfFile: directory + "/out.ndjson", encoding: .utf8).split(separator: "\n")
            XCTAssertEqual(lines, [#"{"sku":"a","qty":1}"#, #"{"sku":"b","qty":3}"#], "execution \(execution) starts clean")
        }
    }
}
