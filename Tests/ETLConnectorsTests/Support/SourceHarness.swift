import Foundation
import XCTest
import ETLCore
import ETLConfig
import ETLConnectors
import ETLRunner

/// Builds sources the way the runner does (YAML options checked against the
/// connector's spec, then the registry) and reads them to the end.
enum SourceHarness {
    static let registry = Registry.make()

    static func options(_ kind: ConnectorKind, _ type: String, _ yaml: String) throws -> Options {
        let loaded = YAMLLoader.load(text: yaml, file: "options.yaml")
        guard let root = loaded.root, !loaded.hasErrors else { throw ETLError("bad test YAML: \(loaded.diagnostics)") }
        guard let registration = registry.lookup(kind, type) else { throw ETLError("no \(kind.rawValue) \(type)") }
        var checker = OptionChecker(owner: "\(type) \(kind.rawValue)")
        let options = checker.check(root, registration.spec.options, reserved: PipelineSchema.notifierKeys)
        let errors = checker.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else { throw ETLError("options rejected: \(errors.map(\.description).joined(separator: "; "))") }
        return options
    }

    static func source(_ type: String, _ yaml: String, baseDirectory: String = NSTemporaryDirectory()) throws -> Source {
        try registry.source(type, try options(.source, type, yaml), build(baseDirectory))
    }

    static func notifier(_ type: String, _ yaml: String, baseDirectory: String = NSTemporaryDirectory()) throws -> Notifier {
        try registry.notifier(type, try options(.notifier, type, yaml), build(baseDirectory))
    }

    static func sink(_ type: String, _ yaml: String, baseDirectory: String = NSTemporaryDirectory(), pipeline: String = "test") throws -> Sink {
        try registry.sink(type, try options(.sink, type, yaml),
                          BuildContext(baseDirectory: baseDirectory, pipelineName: pipeline, dryRun: false, registry: registry))
    }

    private static func build(_ baseDirectory: String) -> BuildContext {
        BuildContext(baseDirectory: baseDirectory, pipelineName: "test", dryRun: false, registry: registry)
    }

    static func context(state: Fields = Fields(), log: SourceLog = SourceLog()) -> RunContext {
        let c = RunContext(runID: "test-run", pipeline: "test", startedAt: Date(timeIntervalSince1970: 1_700_000_000),
                           logger: Logger(minimumLevel: .info, write: log.append))
        c.state = state
        return c
    }

    /// Every record the source emits, in order.
    static func read(_ source: Source, _ context: RunContext) throws -> [Record] {
        var out: [Record] = []
        try source.read(context) { out += $0.records }
        return out
    }
}

/// Log lines written by a test's logger.
final class SourceLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ line: String) { lock.lock(); stored.append(line); lock.unlock() }
    var lines: [String] { lock.lock(); defer { lock.unlock() }; return stored }
    var text: String { lines.joined(separator: "\n") }
}
