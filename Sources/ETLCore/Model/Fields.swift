/// An ordered map of field name to value: the body of a record or a JSON object.
/// Records are small, so a pair of arrays with a linear search beats hashing,
/// and it keeps the source's key order for output.
public struct Fields: Equatable, Hashable, Sendable, Sequence {
    public private(set) var keys: [String] = []
    public private(set) var values: [Value] = []

    public init() {}
    public init(_ pairs: [(String, Value)]) { for (k, v) in pairs { self[k] = v } }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public func index(of key: String) -> Int? { keys.firstIndex(of: key) }

    public subscript(key: String) -> Value? {
        get { index(of: key).map { values[$0] } }
        set {
            if let i = index(of: key) {
                if let v = newValue { values[i] = v } else { keys.remove(at: i); values.remove(at: i) }
            } else if let v = newValue {
                keys.append(key); values.append(v)
            }
        }
    }

    /// Appends without checking for an existing key: for parsers that already rejected duplicates.
    public mutating func appendUnchecked(_ key: String, _ value: Value) {
        keys.append(key); values.append(value)
    }

    /// Fields from a key list and one value per key, without checking for
    /// duplicates: for decoders whose rows all share one key list (a database
    /// result's columns), which is then shared by every row, not copied.
    public init(uncheckedKeys keys: [String], values: [Value]) {
        precondition(keys.count == values.count, "one value per key")
        self.keys = keys; self.values = values
    }

    public mutating func reserveCapacity(_ n: Int) { keys.reserveCapacity(n); values.reserveCapacity(n) }

    public func makeIterator() -> Zip2Sequence<[String], [Value]>.Iterator { zip(keys, values).makeIterator() }

    public static func == (a: Fields, b: Fields) -> Bool {
        guard a.count == b.count else { return false }
        for (k, v) in a where b[k] != v { return false }
        return true
    }
    public func hash(into h: inout Hasher) { for (k, v) in self { h.combine(k); h.combine(v) } }
}
