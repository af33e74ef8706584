import Foundation

/// A connector's options after validation: every declared option present with
/// its default filled in and its value converted to the declared type
/// (durations to seconds, sizes to bytes). Connectors read them by name.
public struct Options: Sendable {
    public var values: Fields
    /// Where each option was written, for errors raised while building the connector.
    public var locations: [String: SourceLocation]

    public init(_ values: Fields = Fields(), locations: [String: SourceLocation] = [:]) {
        self.values = values; self.locations = locations
    }

    public subscript(name: String) -> Value { values[name] ?? .null }
    public func has(_ name: String) -> Bool { !(values[name]?.isNull ?? true) }

    public func string(_ name: String) -> String? { self[name].stringValue }
    public func string(_ name: String, default d: String) -> String { self[name].stringValue ?? d }
    public func int(_ name: String) -> Int? { self[name].intValue.map { Int($0) } }
    public func double(_ name: String) -> Double? { self[name].doubleValue }
    public func bool(_ name: String, default d: Bool = false) -> Bool { self[name].boolValue ?? d }
    /// Seconds.
    public func duration(_ name: String) -> Double? { self[name].doubleValue }
    public func list(_ name: String) -> [Value] { self[name].arrayValue ?? [] }
    public func strings(_ name: String) -> [String] { list(name).compactMap { $0.stringValue } }
    public func object(_ name: String) -> Options {
        Options(self[name].objectValue ?? Fields(), locations: nestedLocations(name))
    }
    public func map(_ name: String) -> Fields { self[name].objectValue ?? Fields() }

    private func nestedLocations(_ prefix: String) -> [String: SourceLocation] {
        var out: [String: SourceLocation] = [:]
        for (k, v) in locations where k.hasPrefix(prefix + ".") { out[String(k.dropFirst(prefix.count + 1))] = v }
        return out
    }

    /// An error about one option, pointing at where it was written.
    public func error(_ name: String, _ message: String, hint: String? = nil) -> ETLError {
        ETLError(message, hint: hint, location: locations[name])
    }
}
