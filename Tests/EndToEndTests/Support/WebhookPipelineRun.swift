import Foundation

/// A shipped webhook pipeline run by `etl run` over the records its webhook source
/// would produce (body fields, `_headers`, `_received_at`): the pipeline file as
/// shipped, with its `trigger:` dropped and its `source:` replaced by an NDJSON file.
/// Everything after the source — transforms, sinks, notifiers, setup SQL — is the
/// shipped text, so these tests check the processing `etl serve` runs per inbox batch.
struct WebhookPipelineRun {
    let directory: String
    let file: String

    /// `name`: a different pipeline name (its own advisory lock), for parallel runs.
    init(_ pipeline: String, events: [[String: Any]], name: String? = nil, oneEventPerTransaction: Bool = false) throws {
        directory = TestEnvironment.temporaryDirectory()
        let lines = try events.enumerated().map { i, event -> String in
            var record = event
            if record["_received_at"] == nil { record["_received_at"] = "2024-05-01T10:00:\(String(format: "%02d", i % 60))Z" }
            if record["_headers"] == nil { record["_headers"] = [String: String]() }
            return String(decoding: try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]), as: UTF8.self)
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: directory + "/events.ndjson", atomically: true, encoding: .utf8)
        let shipped = try String(contentsOfFile: TestEnvironment.repoRoot + "/pipelines/\(pipeline).yaml", encoding: .utf8)
        var out: [String] = []
        var skipping = false
        for line in shipped.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("trigger:") || line.hasPrefix("source:") {
                skipping = true
                if line.hasPrefix("source:") { out += ["source:", "  type: file", "  format: ndjson", "  path: events.ndjson"] }
                continue
            }
            if skipping && (line.hasPrefix(" ") || line.isEmpty) { continue }
            skipping = false
            if let name, line.hasPrefix("name:") { out.append("name: \(name)"); continue }
            out.append(line)
        }
        if oneEventPerTransaction { out += ["batch_size: 1", "commit: batch"] }
        let text = out.joined(separator: "\n").replacingOccurrences(of: "../sql/", with: TestEnvironment.repoRoot + "/sql/")
        file = directory + "/\(pipeline).yaml"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
    }

    func run(_ environment: [String: String]) throws -> CommandResult {
        try Command.run(TestEnvironment.etlBinary, ["run", file], environment: environment, timeout: 120)
    }

    func start(_ environment: [String: String]) throws -> RunningCommand {
        try Command.start(TestEnvironment.etlBinary, ["run", file], environment: environment)
    }
}
