import ETLCore

/// A connector that can point out settings that are valid but likely to do harm;
/// `etl validate` shows them as warnings.
public protocol ConfigurationAdvice {
    var configurationWarnings: [String] { get }
}
