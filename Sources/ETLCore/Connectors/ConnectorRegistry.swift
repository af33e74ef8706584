public struct ConnectorRegistration {
    public var spec: ConnectorSpec
    public var factory: ConnectorFactory
    public init(spec: ConnectorSpec, factory: ConnectorFactory) {
        precondition(spec.kind == factory.kind, "connector '\(spec.name)' declares kind \(spec.kind) but is a \(factory.kind)")
        self.spec = spec; self.factory = factory
    }
}

/// The only place that knows connector names. Built-in Swift connectors,
/// manifests from `connectors/` and external executables all register here.
public final class ConnectorRegistry {
    private var entries: [ConnectorKind: [String: ConnectorRegistration]] = [:]

    public init() {}

    public func register(_ spec: ConnectorSpec, _ factory: ConnectorFactory) {
        entries[spec.kind, default: [:]][spec.name] = ConnectorRegistration(spec: spec, factory: factory)
    }

    public func register(_ type: any SourceConnector.Type) { register(type.spec, .source { try type.init(options: $0, context: $1) }) }
    public func register(_ type: any TransformConnector.Type) { register(type.spec, .transform { try type.init(options: $0, context: $1) }) }
    public func register(_ type: any SinkConnector.Type) { register(type.spec, .sink { try type.init(options: $0, context: $1) }) }
    public func register(_ type: any NotifierConnector.Type) { register(type.spec, .notifier { try type.init(options: $0, context: $1) }) }

    public func lookup(_ kind: ConnectorKind, _ name: String) -> ConnectorRegistration? { entries[kind]?[name] }

    public func names(_ kind: ConnectorKind) -> [String] { (entries[kind] ?? [:]).keys.sorted() }

    /// Every spec, by kind then name, for listings and docs.
    public var specs: [ConnectorSpec] {
        ConnectorKind.allCases.flatMap { kind in names(kind).compactMap { entries[kind]?[$0]?.spec } }
    }

    public func source(_ name: String, _ options: Options, _ context: BuildContext) throws -> Source {
        guard case .source(let make) = try factory(.source, name) else { preconditionFailure("registered under the wrong kind") }
        return try make(options, context)
    }

    public func transform(_ name: String, _ options: Options, _ context: BuildContext) throws -> Transform {
        guard case .transform(let make) = try factory(.transform, name) else { preconditionFailure("registered under the wrong kind") }
        return try make(options, context)
    }

    public func sink(_ name: String, _ options: Options, _ context: BuildContext) throws -> Sink {
        guard case .sink(let make) = try factory(.sink, name) else { preconditionFailure("registered under the wrong kind") }
        return try make(options, context)
    }

    public func notifier(_ name: String, _ options: Options, _ context: BuildContext) throws -> Notifier {
        guard case .notifier(let make) = try factory(.notifier, name) else { preconditionFailure("registered under the wrong kind") }
        return try make(options, context)
    }

    /// Any kind, as a plain stage (validation builds and probes every stage alike).
    public func stage(_ kind: ConnectorKind, _ name: String, _ options: Options, _ context: BuildContext) throws -> Stage {
        try factory(kind, name).build(options, context)
    }

    private func factory(_ kind: ConnectorKind, _ name: String) throws -> ConnectorFactory {
        guard let entry = lookup(kind, name) else {
            throw ETLError("unknown \(kind.rawValue) connector '\(name)'",
                           hint: Suggest.didYouMean(name, names(kind)) ?? "run `etl list-connectors --kind \(kind.rawValue)`")
        }
        return entry.factory
    }
}
