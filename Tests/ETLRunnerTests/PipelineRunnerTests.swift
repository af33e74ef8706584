import Foundation
import XCTest
import ETLCore
import ETLConfig
import ETLRunner

/// Runs in one process, as a server will: each run logs with its own run id,
/// pipeline and secrets, and writes only its own output.
final class PipelineRunnerTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "etl-runner-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    /// A file → map → file pipeline named `name`, loaded the way `etl run` loads it.
    private func pipeline(_ name: String, input: String, output: String, sourcePath: String? = nil,
                          environment: [String: String] = [:]) throws -> PipelineSpec {
        try input.write(toFile: "\(directory)/\(name).json", atomically: true, encoding: .utf8)
        let yaml = """
        name: \(name)
        source: {type: file, path: "\(sourcePath ?? name + ".json")"}
        transforms:
          - type: map
            fields: {sku: upper(sku), qty: qty * 2}
        sink: {type: file, path: \(output)}
        """
        let path = "\(directory)/\(name).yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let result = PipelineLoader(registry: Registry.make(), environment: environment).load(path: path)
        guard let spec = result.spec else { throw ETLError("invalid test pipeline: \(result.diagnostics)") }
        return spec
    }

    private final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var all: [String] = []
        func append(_ line: String) { lock.lock(); all.append(line); lock.unlock() }
        var lines: [String] { lock.lock(); defer { lock.unlock() }; return all }
    }

    func testTwoRunsInOneProcessEachLogTheirOwnRunIDAndWriteTheirOwnOutput() throws {
        let a = try pipeline("alpha", input: #"[{"sku": "a-1", "qty": 1}]"#, output: "alpha.out.ndjson")
        let b = try pipeline("beta", input: #"[{"sku": "b-1", "qty": 5}, {"sku": "b-2", "qty": 6}]"#, output: "beta.out.ndjson")
        let lines = Lines()
        let logger = Logger(format: .json, minimumLevel: .info, write: lines.append)
        var outcomes: [String: RunOutcome] = [:]
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let spec = i == 0 ? a : b
            var settings = PipelineRunner.Settings()
            settings.runID = "run-\(spec.name)"
            let outcome = PipelineRunner(spec: spec, registry: Registry.make(), logger: logger, settings: settings).run()
            lock.lock(); outcomes[spec.name] = outcome; lock.unlock()
        }
        XCTAssertEqual(outcomes["alpha"]?.status, .completed)
        XCTAssertEqual(outcomes["beta"]?.status, .completed)
        XCTAssertEqual(try String(contentsOfFile: "\(directory)/alpha.out.ndjson", encoding: .utf8), #"{"sku":"A-1","qty":2}"# + "\n")
        XCTAssertEqual(try String(contentsOfFile: "\(directory)/beta.out.ndjson", encoding: .utf8),
                       #"{"sku":"B-1","qty":10}"# + "\n" + #"{"sku":"B-2","qty":12}"# + "\n")
        let summaries = lines.lines.filter { $0.contains("\"level\":\"info\"") && $0.contains("completed") }
        XCTAssertEqual(summaries.count, 2, "\(lines.lines)")
        for line in lines.lines {
            let parsed = try JSONStreamReader.parse(line)
            let pipeline = parsed[path: ["pipeline"]].stringValue
            XCTAssertNotNil(pipeline, line)
            XCTAssertEqual(parsed[path: ["run_id"]].stringValue, "run-\(pipeline ?? "")", "a line carries its own run's id: \(line)")
        }
    }

    func testASecretInterpolatedIntoThePipelineIsMaskedInItsRunsLogsAndError() throws {
        // The token is a secret-looking variable: the loader hands it to the run's redactor.
        let spec = try pipeline("gamma", input: "[]", output: "out.ndjson", sourcePath: "missing-${API_TOKEN}.json",
                                environment: ["API_TOKEN": "tok-S3c/ret-99"])
        let lines = Lines()
        let outcome = PipelineRunner(spec: spec, registry: Registry.make(), logger: Logger(write: lines.append)).run()
        XCTAssertEqual(outcome.status, .failed)
        let log = lines.lines.joined(separator: "\n")
        XCTAssertFalse(log.contains("tok-S3c/ret-99"), log)
        XCTAssertTrue(log.contains("missing-***.json"), log)
        XCTAssertEqual(outcome.variables["error"]?.stringValue?.contains("tok-S3c"), false, "the ledger and notifiers get the redacted error")
    }
}
