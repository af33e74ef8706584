/// What a connector factory gets besides its options.
public struct BuildContext {
    /// Directory of the pipeline file: relative paths in options resolve against it.
    public var baseDirectory: String
    public var pipelineName: String
    public var dryRun: Bool
    public var registry: ConnectorRegistry
    public init(baseDirectory: String, pipelineName: String, dryRun: Bool, registry: ConnectorRegistry) {
        self.baseDirectory = baseDirectory; self.pipelineName = pipelineName
        self.dryRun = dryRun; self.registry = registry
    }

    public func resolvePath(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return baseDirectory + "/" + path
    }
}

public struct ConnectorRegistration {
    public var spec: ConnectorSpec
    public var make: (Options, BuildContext) throws -> AnyObject
    public init(spec: ConnectorSpec, make: @escaping (Options, BuildContext) throws -> AnyObject) {
        self.spec = spec; self.make = make
    }
}

/// The only place that knows connector names. Built-in Swift connectors,
/// manifests from `connectors/` and external executables all register here.
public final class ConnectorRegistry {
    private var entries: [ConnectorKind: [String: ConnectorRegistration]] = [:]

    public init() {}

    public func register(_ spec: ConnectorSpec, make: @escaping (Options, BuildContext) throws -> AnyObject) {
        entries[spec.kind, default: [:]][spec.name] = ConnectorRegistration(spec: spec, make: make)
    }

    public func lookup(_ kind: ConnectorKind, _ name: String) -> ConnectorRegistration? { entries[kind]?[name] }

    public func names(_ kind: ConnectorKind) -> [String] { (entries[kind] ?? [:]).keys.sorted() }

    /// Every spec, by kind then name, for listings and docs.
    public var specs: [ConnectorSpec] {
        ConnectorKind.allCases.flatMap { kind in names(kind).compactMap { entries[kind]?[$0]?.spec } }
    }

    public func make<T>(_ kind: ConnectorKind, _ name: String, _ options: Options, _ context: BuildContext,
                        as type: T.Type) throws -> T {
        guard let entry = lookup(kind, name) else {
            throw ETLError("unknown \(kind.rawValue) connector '\(name)'",
                           hint: Suggest.didYouMean(name, names(kind)) ?? "run `etl list-connectors --kind \(kind.rawValue)`")
        }
        guard let made = try entry.make(options, context) as? T else {
            throw ETLError("connector '\(name)' is not a \(kind.rawValue)")
        }
        return made
    }
}
