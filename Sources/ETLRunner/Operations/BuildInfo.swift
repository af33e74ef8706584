import ETLConfig
import ETLHTTP
import ETLPostgres

/// What `etl --version` prints: this build and the C libraries it is linked with
/// (a bug report needs them: TLS, libpq protocol features and YAML quirks differ by version).
public enum BuildInfo {
    public static let version = "0.3.0"

    public static var versionText: String {
        """
        etl \(version)
        libpq \(PostgresConnection.libraryVersion)
        libcurl \(CurlLibrary.version)
        libyaml \(YAMLLibrary.version)
        """
    }
}
