import ETLCore
import ETLConnectors

/// The registry the CLI uses: built-in connectors plus plugins.
public enum Registry {
    public static func make() -> ConnectorRegistry {
        BuiltinConnectors.makeRegistry()
    }
}
