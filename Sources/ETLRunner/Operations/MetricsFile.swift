import Foundation
import ETLCore

/// `etl run --metrics-file PATH`: the run's figures in Prometheus text format for
/// node_exporter's textfile collector. Written to a temporary file beside PATH and
/// renamed over it, so the collector never reads half a file. A failed run keeps the
/// previous `etl_last_success_timestamp_seconds` (read back from the old file), so an
/// alert on "no success for 26 h" keeps counting from the last real success.
public enum MetricsFile {
    public static func write(path: String, pipeline: String, status: RunStatus, exitCode: Int32, variables: Fields,
                             now: Date = Date()) throws {
        let labels = "pipeline=\"\(escape(pipeline))\""
        var lastSuccess: Double?
        if status == .completed {
            lastSuccess = now.timeIntervalSince1970
        } else if let old = try? String(contentsOfFile: path, encoding: .utf8) {
            lastSuccess = previousValue(in: old, metric: "etl_last_success_timestamp_seconds", labels: labels)
        }
        func number(_ name: String) -> Double? {
            guard let v = variables[name], !v.isNull else { return nil }
            return v.doubleValue ?? v.intValue.map(Double.init)
        }
        var out = ""
        func metric(_ name: String, _ help: String, _ samples: [(String, Double?)]) {
            let present = samples.compactMap { s in s.1.map { (s.0, $0) } }
            guard !present.isEmpty else { return }
            out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
            for (extra, value) in present { out += "\(name){\(labels)\(extra)} \(format(value))\n" }
        }
        metric("etl_run_duration_seconds", "Duration of the last run.", [("", number("duration"))])
        metric("etl_run_success", "1 if the last run completed, else 0.", [("", status == .completed ? 1 : 0)])
        metric("etl_run_exit_code", "Exit code of the last run (0 success, 1 failed, 3 skipped, 4 rejects, 5 bookkeeping).", [("", Double(exitCode))])
        metric("etl_run_records", "Records of the last run by outcome.",
               [("read", "records_read"), ("written", "records_written"), ("rejected", "records_rejected")].map {
                   (",outcome=\"\($0.0)\"", number($0.1)) })
        metric("etl_run_items_changed", "Rows inserted or really changed by the last run.", [("", number("items_changed"))])
        metric("etl_run_rows", "Rows of the last run by operation.",
               ["inserted", "updated", "deleted"].map { (",operation=\"\($0)\"", number($0)) })
        metric("etl_run_api_latency_seconds", "Latency of the source API in the last run.", [("", number("api_latency_ms").map { $0 / 1000 })])
        metric("etl_last_run_timestamp_seconds", "When the last run ended (Unix time).", [("", now.timeIntervalSince1970)])
        metric("etl_last_success_timestamp_seconds", "When the last successful run ended (Unix time).", [("", lastSuccess)])

        let directory = (path as NSString).deletingLastPathComponent
        let temp = (directory.isEmpty ? "." : directory) + "/." + (path as NSString).lastPathComponent + ".\(getpid()).tmp"
        do {
            try out.write(toFile: temp, atomically: false, encoding: .utf8)
            guard rename(temp, path) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temp)
                throw ETLError("cannot write metrics file \(path): \(reason)")
            }
        } catch let e as ETLError { throw e } catch {
            throw ETLError("cannot write metrics file \(path): \(error.localizedDescription)",
                           hint: "the directory must exist and be writable (node_exporter's --collector.textfile.directory)")
        }
    }

    static func previousValue(in text: String, metric: String, labels: String) -> Double? {
        let prefix = "\(metric){\(labels)} "
        for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
            return Double(line.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }
}
