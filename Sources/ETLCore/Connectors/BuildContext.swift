/// What a connector's initialiser gets besides its options.
public struct BuildContext {
    /// Directory of the pipeline file: relative paths in options resolve against it.
    public var baseDirectory: String
    public var pipelineName: String
    public var dryRun: Bool
    public var registry: ConnectorRegistry
    /// Names declared under the pipeline's `vars:`, when known: connectors that bind
    /// vars (the postgres source's `:name` parameters) check their references against them.
    public var varNames: Set<String>?
    /// The pipeline's own `database:` (ledger, lock, setup), when it has one: where connectors
    /// keep bookkeeping of their own (alerts already sent) unless told otherwise.
    public var pipelineDatabase: String?
    public init(baseDirectory: String, pipelineName: String, dryRun: Bool, registry: ConnectorRegistry, varNames: Set<String>? = nil) {
        self.baseDirectory = baseDirectory; self.pipelineName = pipelineName
        self.dryRun = dryRun; self.registry = registry; self.varNames = varNames
    }

    public func resolvePath(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return baseDirectory + "/" + path
    }
}
