import Foundation

/// Run logs. Text for people and cron (quiet on success: warnings, errors and
/// one summary line), JSON lines for machines (every line carries the run id).
/// Every line passes the redactor: secrets never reach the log.
public final class Logger: @unchecked Sendable {
    public enum Format: String, Sendable { case text, json }
    public enum Level: Int, Comparable, Sendable {
        case debug, info, warning, error
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        var name: String { ["debug", "info", "warning", "error"][rawValue] }
    }

    public var format: Format
    public var minimumLevel: Level
    public var runID: String?
    public var pipeline: String?
    private let lock = NSLock()
    private let write: (String) -> Void

    public init(format: Format = .text, minimumLevel: Level = .warning,
                write: @escaping (String) -> Void = { FileHandle.standardError.write(($0 + "\n").data(using: .utf8)!) }) {
        self.format = format; self.minimumLevel = minimumLevel; self.write = write
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

    private func emit(_ level: Level, _ message: String, _ fields: Fields) {
        // Redacted before the cut, so no secret survives half-cut; one line stays readable.
        let message = MessageCap.cap(Redactor.shared.redact(message))
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
        lock.lock(); defer { lock.unlock() }
        write(Redactor.shared.redact(line))
    }
}
