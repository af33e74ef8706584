import Foundation

/// Run logs. Text for people and cron (quiet on success: warnings, errors and
/// one summary line), JSON lines for machines (every line carries the run id).
/// This is an edge where text leaves the process: every line passes the
/// logger's redactor. A run logs through its own `scoped` logger, so two runs
/// in one process each carry their own run id, pipeline and secrets.
public final class Logger: @unchecked Sendable {
    public enum Format: String, Sendable, CaseIterable { case text, json }
    public enum Level: Int, Comparable, Sendable {
        case debug, info, warning, error
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        var name: String { ["debug", "info", "warning", "error"][rawValue] }
    }

    /// Where lines go; shared by a logger and the loggers scoped from it, so lines never interleave.
    final class Output: @unchecked Sendable {
        let lock = NSLock()
        let write: (String) -> Void
        init(_ write: @escaping (String) -> Void) { self.write = write }
        func emit(_ line: String) { lock.lock(); defer { lock.unlock() }; write(line) }
    }

    public let format: Format
    public let minimumLevel: Level
    public let runID: String?
    public let pipeline: String?
    public let redactor: Redactor
    private let output: Output

    public init(format: Format = .text, minimumLevel: Level = .warning, redactor: Redactor = Redactor(),
                write: @escaping (String) -> Void = { FileHandle.standardError.write(($0 + "\n").data(using: .utf8)!) }) {
        self.format = format; self.minimumLevel = minimumLevel; self.redactor = redactor
        self.runID = nil; self.pipeline = nil; self.output = Output(write)
    }

    private init(_ base: Logger, runID: String?, pipeline: String?, redactor: Redactor) {
        format = base.format; minimumLevel = base.minimumLevel; output = base.output
        self.runID = runID; self.pipeline = pipeline; self.redactor = redactor
    }

    /// The same output, with a run's id, pipeline and (optionally) its own secrets.
    public func scoped(runID: String? = nil, pipeline: String? = nil, redactor: Redactor? = nil) -> Logger {
        Logger(self, runID: runID ?? self.runID, pipeline: pipeline ?? self.pipeline, redactor: redactor ?? self.redactor)
    }

    public func debug(_ m: @autoclosure () -> String, _ f: Fields = Fields()) { log(.debug, m(), f) }
    public func info(_ m: @autoclosure () -> String, _ f: Fields = Fields()) { log(.info, m(), f) }
    public func warning(_ m: @autoclosure () -> String, _ f: Fields = Fields()) { log(.warning, m(), f) }
    public func error(_ m: @autoclosure () -> String, _ f: Fields = Fields()) { log(.error, m(), f) }

    /// Always printed: the one line a successful cron run leaves behind.
    public func summary(_ message: String, _ fields: Fields = Fields()) { emit(.info, message, fields) }

    public func log(_ level: Level, _ message: @autoclosure () -> String, _ fields: Fields = Fields()) {
        guard level >= minimumLevel else { return }
        emit(level, message(), fields)
    }

    private func emit(_ level: Level, _ rawMessage: String, _ fields: Fields) {
        // Redacted before it is encoded too: JSON escaping would hide the quotes around a
        // quoted piece of a secret from the redactor.
        let message = MessageCap.cap(redactor.redact(rawMessage))
        let line: String
        switch format {
        case .json:
            var all = Fields()
            all["time"] = .string(Timestamps.iso8601(Date()))
            all["level"] = .string(level.name)
            if let runID { all["run_id"] = .string(runID) }
            if let pipeline { all["pipeline"] = .string(pipeline) }
            all["msg"] = .string(message)
            for (k, v) in fields { all[k] = v }
            line = JSONWriter.string(.object(all))
        case .text:
            var s = "\(level.name): \(message)"
            if !fields.isEmpty { s += " " + fields.map { "\($0.0)=\($0.1.text)" }.joined(separator: " ") }
            line = s
        }
        // The message was redacted above; here only whole secrets (in fields) are left to find.
        output.emit(redactor.redact(line, quotedPieces: format == .text))
    }
}
