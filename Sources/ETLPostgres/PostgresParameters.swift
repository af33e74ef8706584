/// Statement parameters in PostgreSQL's text form, packed NUL-terminated into
/// one buffer: binding a statement costs no allocation per parameter.
public struct PostgresParameters: ExpressibleByArrayLiteral {
    private(set) var bytes: [UInt8] = []
    /// Where each parameter's text starts in `bytes`; nil for NULL.
    private(set) var offsets: [Int?] = []
    /// 1-based position of the first parameter holding a NUL byte, which PostgreSQL text cannot.
    private(set) var firstWithNUL: Int?

    public init() {}

    /// Texts in `$1…$n` order; nil is NULL.
    public init(_ texts: [String?]) {
        offsets.reserveCapacity(texts.count)
        for text in texts { append(text) }
    }

    public init(arrayLiteral texts: String?...) { self.init(texts) }

    public var count: Int { offsets.count }

    public mutating func append(_ text: String?) {
        guard let text else { appendNull(); return }
        append { $0.append(contentsOf: text.utf8) }
    }

    public mutating func appendNull() { offsets.append(nil) }

    /// Appends one parameter whose text `write` appends to the buffer it is given.
    public mutating func append(writing write: (inout [UInt8]) -> Void) {
        let start = bytes.count
        write(&bytes)
        if firstWithNUL == nil, bytes[start...].contains(0) { firstWithNUL = offsets.count + 1 }
        bytes.append(0)
        offsets.append(start)
    }
}
