import ETLCore

/// Every connector that ships inside the `etl` binary. Adding one is its own
/// file (or folder) and one line here. Manifests from `connectors/` and
/// external executables are added by the runner.
public enum BuiltinConnectors {
    static let sources: [any SourceConnector.Type] = [FileSource.self, HTTPSource.self, ExecSource.self, PostgresSource.self, WebhookSource.self]

    static let transforms: [any TransformConnector.Type] = [
        ValidateTransform.self, MapTransform.self, FilterTransform.self, DedupeTransform.self,
        CoerceTransform.self, ExplodeTransform.self, RouteTransform.self, LookupTransform.self, HTTPTransform.self, PostgresWriteTransform.self,
    ]

    static let sinks: [any SinkConnector.Type] = [StdoutSink.self, FileSink.self, PostgresSink.self, ExecSink.self, EmailSink.self, HTTPSink.self]

    static let notifiers: [any NotifierConnector.Type] = [SlackNotifier.self, WebhookNotifier.self, EmailNotifier.self, PagerDutyNotifier.self]

    public static func register(into registry: ConnectorRegistry) {
        sources.forEach(registry.register)
        transforms.forEach(registry.register)
        sinks.forEach(registry.register)
        notifiers.forEach(registry.register)
        // Every notifier doubles as a per-record sink, except email: its sink is EmailSink (templated recipients).
        for notifier in notifiers where registry.lookup(.sink, notifier.spec.name) == nil {
            AlertSink.register(notifier, into: registry)
        }
    }

    public static func makeRegistry() -> ConnectorRegistry {
        let registry = ConnectorRegistry()
        register(into: registry)
        return registry
    }
}
