/// Response headers in arrival order, looked up without regard to case.
public struct HTTPHeaders: Sendable, Sequence {
    public private(set) var entries: [(name: String, value: String)]

    public init(_ entries: [(name: String, value: String)] = []) { self.entries = entries }

    /// The first value of that header, if any.
    public subscript(name: String) -> String? {
        entries.first { HeaderName.same($0.name, name) }?.value
    }

    public func values(for name: String) -> [String] {
        entries.filter { HeaderName.same($0.name, name) }.map { $0.value }
    }

    public mutating func append(name: String, value: String) { entries.append((name, value)) }

    public var count: Int { entries.count }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { entries.makeIterator() }
}
