import Foundation
import XCTest
import ETLCore
import ETLConfig
import ETLConnectors
import ETLRunner

/// Builds transforms the way the runner does (YAML options checked by
/// `OptionChecker` against the connector's spec, then the registry) and
/// feeds them batches.
enum TransformHarness {
    static let registry = Registry.make()

    /// A transform of `type` from the YAML mapping of its options (without `type:`).
    static func make(_ type: String, _ yaml: String) throws -> Transform {
        let loaded = YAMLLoader.load(text: yaml, file: "options.yaml")
        guard let root = loaded.root, !loaded.hasErrors else {
            throw ETLError("bad test YAML: \(loaded.diagnostics)")
        }
        guard let registration = registry.lookup(.transform, type) else { throw ETLError("no transform \(type)") }
        var checker = OptionChecker(owner: "\(type) transform")
        let options = checker.check(root, registration.spec.options, reserved: PipelineSchema.stageKeys)
        let errors = checker.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else { throw ETLError("options rejected: \(errors.map(\.description).joined(separator: "; "))") }
        let build = BuildContext(baseDirectory: NSTemporaryDirectory(), pipelineName: "test", dryRun: false, registry: registry)
        return try registry.transform(type, options, build)
    }

    /// The diagnostics `OptionChecker` gives for these options (for invalid-option tests).
    static func optionDiagnostics(_ type: String, _ yaml: String) -> [Diagnostic] {
        guard let root = YAMLLoader.load(text: yaml, file: "options.yaml").root,
              let registration = registry.lookup(.transform, type) else { return [] }
        var checker = OptionChecker(owner: "\(type) transform")
        _ = checker.check(root, registration.spec.options, reserved: PipelineSchema.stageKeys)
        return checker.diagnostics
    }

    /// Records from a JSON array; positions count from `from`.
    static func records(_ json: String, from: Int = 0, decimals: Bool = false) -> [Record] {
        guard case .array(let items)? = try? JSONStreamReader.parse(json, decimalNumbers: decimals) else {
            XCTFail("bad test JSON: \(json)"); return []
        }
        return items.enumerated().map { i, v in Record(v.objectValue ?? Fields(), position: from + i) }
    }

    static func context(_ log: LogCapture = LogCapture()) -> RunContext {
        RunContext(runID: "test-run", pipeline: "test", startedAt: Date(timeIntervalSince1970: 1_700_000_000),
                   logger: Logger(write: log.append))
    }

    /// Every batch through `process`, then `finish`: what came out, in order.
    static func run(_ transform: Transform, _ batches: [[Record]], context: RunContext? = nil) throws
        -> (records: [Record], rejects: [Rejection]) {
        let ctx = context ?? self.context()
        var records: [Record] = []
        var rejects: [Rejection] = []
        for batch in batches {
            let out = try transform.process(Batch(batch), ctx)
            records += out.batch.records; rejects += out.rejects
        }
        let last = try transform.finish(ctx)
        records += last.batch.records; rejects += last.rejects
        return (records, rejects)
    }

    /// One batch from JSON through a transform built from YAML.
    static func run(_ type: String, _ yaml: String, _ json: String, decimals: Bool = false) throws
        -> (records: [Record], rejects: [Rejection]) {
        try run(make(type, yaml), [records(json, decimals: decimals)])
    }
}

/// Log lines written by a test's logger.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ line: String) { lock.lock(); stored.append(line); lock.unlock() }
    var lines: [String] { lock.lock(); defer { lock.unlock() }; return stored }
}

extension Record {
    /// The record as compact JSON, for readable assertions.
    var json: String { JSONWriter.string(value) }
}
