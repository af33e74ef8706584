import Foundation
import ETLCore
import ETLConfig
import struct ETLExpr.Expression

/// A pipeline compiled once: every connector built from its checked options,
/// every expression compiled. Executions run units of input through it —
/// `etl run` executes it once over the whole source — without reading YAML again.
public final class PipelinePlan {
    public let spec: PipelineSpec
    let source: Source
    let transforms: [(stage: StageSpec, transform: Transform)]
    let sinks: [(stage: StageSpec, sink: Sink)]
    let rejectSink: Sink?
    let notifyRules: [NotificationRules.Rule]
    private let vars: [(name: String, expression: Expression?)]

    /// Building connectors can still fail on options only they understand: a configuration error.
    public init(_ spec: PipelineSpec, registry: ConnectorRegistry, dryRun: Bool, disabledNotifiers: Set<String> = []) throws {
        self.spec = spec
        var build = BuildContext(baseDirectory: spec.baseDirectory, pipelineName: spec.name, dryRun: dryRun, registry: registry,
                                 varNames: Set(spec.vars.map(\.name)))
        build.pipelineDatabase = spec.database
        source = try registry.source(spec.source.type, spec.source.options, build)
        transforms = try spec.transforms.map { ($0, try registry.transform($0.type, $0.options, build)) }
        sinks = try spec.sinks.map { ($0, try registry.sink($0.type, $0.options, build)) }
        rejectSink = try spec.rejects.sink.map { try registry.sink($0.type, $0.options, build) }
        notifyRules = try spec.notifiers.filter { !disabledNotifiers.contains($0.stage.label) }.flatMap {
            try NotificationRules.Rule.compile(try registry.notifier($0.stage.type, $0.stage.options, build), $0)
        }
        // A bad `vars:` expression was caught by validate; here it evaluates to null.
        vars = spec.vars.map { ($0.name, try? Expression.compile($0.expression)) }
    }

    /// `vars:` evaluated for one run, each seeing the ones before it.
    func evaluateVars(now: Date) -> Fields {
        var out = Fields()
        // Names are unique (a YAML mapping): appending keeps many vars linear.
        for (name, expression) in vars {
            out.appendUnchecked(name, (try? expression?.evaluate(record: Fields(), variables: out, now: now)) ?? .null)
        }
        return out
    }
}
