/// Parses many small JSON documents one after another — a database's json
/// column, row after row — sharing one key cache: objects of one shape share
/// their key strings, and the cache is allocated once, not per document.
public struct JSONDocumentParser {
    public let decimalNumbers: Bool
    private var keys = JSONKeyCache.empty

    public init(decimalNumbers: Bool = false) { self.decimalNumbers = decimalNumbers }

    /// One whole document; trailing data is an error.
    public mutating func parse(_ buf: UnsafeBufferPointer<UInt8>, source: String = "JSON") throws -> Value {
        // Moved into the parser and back, so it stays uniquely owned and is never copied.
        // (Swapped, not passed: a local copy alive beside the parser's would make every
        // write to the cache copy its arrays first.)
        var p = JSONParser(buf: buf, pos: 0, line: 1, source: source, decimalNumbers: decimalNumbers,
                           maxDepth: 512, keys: JSONKeyCache.empty)
        swap(&p.keys, &keys)
        defer { swap(&p.keys, &keys) }
        p.skipByteOrderMark()
        let value = try p.parseValue(depth: 0)
        try JSONStreamReader.expectEnd(&p)
        return value
    }
}
