import CYAML

public enum YAMLLibrary {
    /// The linked libyaml, e.g. "0.2.5".
    public static var version: String { yaml_get_version_string().map { String(cString: $0) } ?? "unknown" }
}
