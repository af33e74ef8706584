import Foundation
import ETLCore

/// What an expression can see: names (record fields first, then run variables)
/// and the one `now` of the evaluation, so a whole run uses one timestamp.
public protocol Scope {
    /// The value bound to a top-level name, or nil when the name is unknown (reads as null).
    func value(of name: String) -> Value?
    var now: Date { get }
}

/// The common scope: a record's fields, then optional run variables.
/// `Expression.evaluate(record:variables:now:)` takes the same path without building one.
public struct FieldsScope: Scope {
    public var record: Fields
    public var variables: Fields?
    public var now: Date

    public init(record: Fields, variables: Fields? = nil, now: Date = Date()) {
        self.record = record; self.variables = variables; self.now = now
    }

    public func value(of name: String) -> Value? {
        if let i = record.index(of: name) { return record.values[i] }
        return variables?[name]
    }
}

/// What compiled closures read while evaluating. A plain struct passed down the
/// tree: evaluating allocates nothing for the scope itself.
struct EvalContext {
    let record: Fields
    let variables: Fields?
    /// A custom scope, boxed: an optional existential is copied through value
    /// witnesses (~140 instructions) each time a context is made, a box is a pointer.
    private let custom: CustomScope?
    let now: Date

    init(record: Fields, variables: Fields?, scope: Scope?, now: Date) {
        self.record = record; self.variables = variables; self.now = now
        custom = scope.map(CustomScope.init)
    }

    @inline(__always)
    func lookup(_ name: String) -> Value? {
        if let custom { return custom.scope.value(of: name) }
        let keys = record.keys
        for i in keys.indices where keys[i] == name { return record.values[i] }
        return variables?[name]
    }

    /// `record` as a value: the whole current record (empty for custom scopes).
    var wholeRecord: Value { custom == nil ? .object(record) : .null }
}

private final class CustomScope {
    let scope: Scope
    init(_ scope: Scope) { self.scope = scope }
}
