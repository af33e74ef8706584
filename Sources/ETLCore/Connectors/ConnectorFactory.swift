/// How the registry builds one connector: a constructor of the kind's own
/// protocol, so what comes out needs no cast.
public enum ConnectorFactory {
    public typealias Make<Built> = (Options, BuildContext) throws -> Built

    case source(Make<Source>)
    case transform(Make<Transform>)
    case sink(Make<Sink>)
    case notifier(Make<Notifier>)

    public var kind: ConnectorKind {
        switch self {
        case .source: return .source
        case .transform: return .transform
        case .sink: return .sink
        case .notifier: return .notifier
        }
    }

    /// Builds the connector as a plain stage, for checks that treat every kind alike.
    public func build(_ options: Options, _ context: BuildContext) throws -> Stage {
        switch self {
        case .source(let make): return try make(options, context)
        case .transform(let make): return try make(options, context)
        case .sink(let make): return try make(options, context)
        case .notifier(let make): return try make(options, context)
        }
    }

    /// The same constructor fed with options derived from others: how a manifest
    /// connector becomes its base connector.
    public func deriving(_ derive: @escaping (Options, BuildContext) throws -> Options) -> ConnectorFactory {
        switch self {
        case .source(let make): return .source { try make(derive($0, $1), $1) }
        case .transform(let make): return .transform { try make(derive($0, $1), $1) }
        case .sink(let make): return .sink { try make(derive($0, $1), $1) }
        case .notifier(let make): return .notifier { try make(derive($0, $1), $1) }
        }
    }
}
