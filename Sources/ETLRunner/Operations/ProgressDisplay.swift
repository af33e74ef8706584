import Foundation
import ETLCore

/// A one-line progress display on a terminal's stderr: records read and handed to
/// the sinks, the rate, the elapsed time, and an ETA when the input's size is known.
/// Started only when stderr is a terminal and `--quiet` is not given, so cron mail
/// and piped logs never see it.
final class ProgressDisplay: @unchecked Sendable {
    private let context: RunContext
    private let interval: Double
    private let write: (String) -> Void
    private let lock = NSLock()
    private var timer: DispatchSourceTimer?
    private var lastWidth = 0

    init(context: RunContext, interval: Double = 0.25,
         write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.context = context; self.interval = interval; self.write = write
    }

    func start() {
        let t = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "etl.progress"))
        t.schedule(deadline: .now() + interval, repeating: interval)
        t.setEventHandler { [weak self] in self?.render(final: false) }
        t.resume()
        timer = t
    }

    /// The last figures stay on screen, followed by a newline for the summary.
    func stop() {
        timer?.cancel(); timer = nil
        render(final: true)
    }

    private func render(final: Bool) {
        lock.lock(); defer { lock.unlock() }
        let line = Self.line(context.metrics, elapsed: context.elapsed, pipeline: context.pipeline, dryRun: context.dryRun)
        // \r and erase-line redraw in place; the final render ends the line.
        write("\r\u{1B}[K" + line + (final ? "\n" : ""))
    }

    static func line(_ metrics: RunMetrics, elapsed: Double, pipeline: String, dryRun: Bool) -> String {
        let read = metrics.count("records_read")
        let toSinks = metrics.count(Progress.recordsToSinks)
        let written = metrics.count("records_written")
        var parts = ["\(pipeline): read \(group(read))", "\(dryRun ? "would write" : "written") \(group(max(written, toSinks)))"]
        if elapsed > 0 { parts.append("\(group(Int64(Double(read) / elapsed)))/s") }
        parts.append(DurationParser.format(elapsed))
        var fraction: Double?
        if read == 0, let total = metrics.value(Progress.downloadTotal)?.intValue, total > 0,
           let done = metrics.value(Progress.downloadDone)?.intValue, done < total {
            // Still downloading: the Content-Length is the known total.
            parts = ["\(pipeline): downloading \(bytes(done)) of \(bytes(total))", DurationParser.format(elapsed)]
            fraction = Double(done) / Double(total)
        } else if let total = metrics.value(Progress.recordsTotal)?.intValue, total > 0 {
            fraction = Double(read) / Double(total)
        } else if let estimate = metrics.value(Progress.recordsEstimate)?.intValue, estimate > 0, read < estimate {
            // The planner's estimate: shown as such, and dropped once the rows outnumber it.
            let f = Double(read) / Double(estimate)
            parts.append("~\(Int(f * 100))%")
            if f > 0.01 { parts.append("ETA ~\(DurationParser.format(elapsed * (1 - f) / f))") }
        } else if let total = metrics.value(Progress.bytesTotal)?.intValue, total > 0,
                  let done = metrics.value(Progress.bytesDone)?.intValue {
            fraction = Double(done) / Double(total)
        }
        if let f = fraction.map({ min(1, max(0, $0)) }) {
            parts.append("\(Int(f * 100))%")
            if f > 0.01 && f < 1 { parts.append("ETA \(DurationParser.format(elapsed * (1 - f) / f))") }
        }
        return parts.joined(separator: " · ")
    }

    static func bytes(_ n: Int64) -> String {
        n >= 1 << 20 ? String(format: "%.1f MB", Double(n) / 1_048_576) : n >= 1024 ? "\(n / 1024) kB" : "\(n) B"
    }

    /// 1234567 → 1,234,567
    static func group(_ n: Int64) -> String {
        let digits = Array(String(abs(n)))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return (n < 0 ? "-" : "") + out
    }
}
