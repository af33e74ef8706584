import Foundation
import ETLCore
import ETLConfig
import ETLExpr
import struct ETLExpr.Expression

/// The notify rules of one run over the plan's compiled rules. Each rule fires
/// at most once per run; a failing notifier is logged and never fails the run.
final class NotificationRules {
    /// One `when:` of a notifier, compiled once with the plan.
    struct Rule {
        var notifier: Notifier
        var label: String
        var when: Expression
        var whenText: String
        var message: Template?

        static func compile(_ notifier: Notifier, _ spec: NotifierSpec) throws -> [Rule] {
            try spec.rules.map { rule in
                Rule(notifier: notifier, label: spec.stage.label, when: try Expression.compile(rule.when), whenText: rule.when,
                     message: try rule.message.map { try Expression.compileTemplate($0) })
            }
        }
    }

    private let rules: [Rule]
    private var fired: [Bool]
    private let lock = NSLock()
    let logger: Logger
    let dryRun: Bool

    init(_ rules: [Rule], logger: Logger, dryRun: Bool) {
        self.rules = rules; fired = Array(repeating: false, count: rules.count)
        self.logger = logger; self.dryRun = dryRun
    }

    /// Evaluates every rule not yet fired against the run's variables and sends those that hold.
    func evaluate(_ variables: Fields, context: RunContext) {
        lock.lock()
        var due: [Rule] = []
        for i in rules.indices where !fired[i] {
            let holds: Bool
            do { holds = try rules[i].when.evaluate(record: Fields(), variables: variables, now: Date()) == .bool(true) }
            catch { logger.warning("notify rule '\(rules[i].whenText)' could not be evaluated: \(error)"); continue }
            if holds { fired[i] = true; due.append(rules[i]) }
        }
        lock.unlock()
        for rule in due { send(rule, variables, context) }
    }

    /// Notifier payloads are an edge: title and text pass the run's redactor before they leave.
    private func send(_ rule: Rule, _ v: Fields, _ context: RunContext) {
        let redact = { context.redactor.redact($0) }
        let notification = RunNotification(title: redact(Self.title(v)), text: redact(text(rule, v)), variables: v)
        if dryRun {
            print(redact("dry run: would notify \(rule.label) (\(rule.whenText)): \(notification.title) — \(notification.text)"))
            return
        }
        do {
            try rule.notifier.send(notification, context)
            logger.info("notified \(rule.label): \(rule.whenText)")
        } catch {
            logger.warning("notifier \(rule.label) failed (\(rule.whenText)): \(error) — the run itself is not affected")
        }
    }

    private func text(_ rule: Rule, _ v: Fields) -> String {
        var lines: [String] = []
        if let message = rule.message { lines.append(message.render(record: Fields(), variables: v, now: Date())) }
        lines.append(Self.summary(v))
        return lines.joined(separator: "\n")
    }

    static func title(_ v: Fields) -> String {
        let pipeline = v["pipeline"]?.text ?? "pipeline"
        switch v["status"]?.text ?? "" {
        case "failed": return "\(pipeline) FAILED"
        case "overlap": return "\(pipeline): overlap detected, run skipped"
        case "running": return "\(pipeline) still running after \(DurationParser.format(v["duration"]?.doubleValue ?? 0))"
        case "partial": return "\(pipeline) finished with too many rejected records"
        default: return "\(pipeline) \(v["status"]?.text ?? "")"
        }
    }

    /// The facts every alert carries: run id, counts, duration, error, archive path.
    static func summary(_ v: Fields) -> String {
        var parts = ["run \(v["run_id"]?.text ?? "?")", "status \(v["status"]?.text ?? "?")"]
        for (key, label) in [("records_read", "read"), ("records_written", "processed"), ("records_rejected", "rejected"),
                             ("items_changed", "changed"), ("api_latency_ms", "API latency ms")] {
            if let value = v[key], !value.isNull { parts.append("\(label) \(value.text)") }
        }
        parts.append("duration \(DurationParser.format(v["duration"]?.doubleValue ?? 0))")
        if let archive = v["archive_path"], !archive.isNull { parts.append("archive \(archive.text)") }
        if let error = v["error"], !error.isNull, !error.text.isEmpty { parts.append("error: \(error.text)") }
        return parts.joined(separator: " · ")
    }
}
