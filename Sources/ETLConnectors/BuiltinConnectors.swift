import ETLCore

/// Registers every connector that ships inside the `etl` binary. Manifests
/// from `connectors/` and external executables are added by the runner.
public enum BuiltinConnectors {
    public static func register(into registry: ConnectorRegistry) {
        registry.register(FileSource.spec) { try FileSource(options: $0, context: $1) }
        registry.register(HTTPSource.spec) { try HTTPSource(options: $0, context: $1) }
        registry.register(ExecSource.spec) { try ExecSource(options: $0, context: $1) }

        registry.register(ValidateTransform.spec) { try ValidateTransform(options: $0, context: $1) }
        registry.register(MapTransform.spec) { try MapTransform(options: $0, context: $1) }
        registry.register(FilterTransform.spec) { try FilterTransform(options: $0, context: $1) }
        registry.register(DedupeTransform.spec) { try DedupeTransform(options: $0, context: $1) }
        registry.register(CoerceTransform.spec) { try CoerceTransform(options: $0, context: $1) }
        registry.register(ExplodeTransform.spec) { try ExplodeTransform(options: $0, context: $1) }
        registry.register(RouteTransform.spec) { try RouteTransform(options: $0, context: $1) }
        registry.register(LookupTransform.spec) { try LookupTransform(options: $0, context: $1) }

        registry.register(StdoutSink.spec) { try StdoutSink(options: $0, context: $1) }
        registry.register(FileSink.spec) { try FileSink(options: $0, context: $1) }
        registry.register(PostgresSink.spec) { try PostgresSink(options: $0, context: $1) }
        registry.register(ExecSink.spec) { try ExecSink(options: $0, context: $1) }
        registry.register(EmailSink.spec) { try EmailSink(options: $0, context: $1) }

        registry.register(SlackNotifier.spec) { try SlackNotifier(options: $0, context: $1) }
        registry.register(WebhookNotifier.spec) { try WebhookNotifier(options: $0, context: $1) }
        registry.register(EmailNotifier.spec) { try EmailNotifier(options: $0, context: $1) }
    }

    public static func makeRegistry() -> ConnectorRegistry {
        let registry = ConnectorRegistry()
        register(into: registry)
        return registry
    }
}
