import ETLCore
import ETLConfig
import ETLConnectors

extension PipelineValidation {
    /// Warnings from connectors about valid but risky settings (`Stage.configurationWarnings`), for `etl validate`.
    public static func advice(_ spec: PipelineSpec, registry: ConnectorRegistry) -> [Diagnostic] {
        var context = BuildContext(baseDirectory: spec.baseDirectory, pipelineName: spec.name, dryRun: true, registry: registry,
                                   varNames: Set(spec.vars.map(\.name)))
        context.pipelineDatabase = spec.database
        let stages = [spec.source] + spec.transforms + spec.sinks + spec.notifiers.map(\.stage)
        return stages.flatMap { stage -> [Diagnostic] in
            guard let built = try? registry.stage(stage.kind, stage.type, stage.options, context) else { return [] }
            return built.configurationWarnings.map { Diagnostic(.warning, $0, at: stage.location) }
        }
    }
}
