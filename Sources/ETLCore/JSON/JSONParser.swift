/// The JSON grammar over raw bytes (RFC 8259). Works on an unsafe view of the
/// payload: the caller keeps the bytes alive for as long as one parser lives
/// (one batch), and keeps `pos` and `line` between batches.
///
/// Newlines can only occur in whitespace (a raw newline inside a string is an
/// error), so counting them while skipping whitespace gives exact line numbers
/// for free; columns are only worked out when an error is raised.
struct JSONParser {
    /// The bytes parsed; while `capped`, only the window a record may span.
    var buf: UnsafeBufferPointer<UInt8>
    var pos: Int
    var line: Int
    let source: String
    let decimalNumbers: Bool
    let maxDepth: Int
    var keys: JSONKeyCache
    /// Reused to decode strings with escapes.
    var scratch: [UInt8] = []
    /// True while `buf` is cut short at the record cap: its end is then not the
    /// payload's, and reaching it means the record is too large.
    var capped = false
    /// A mapped payload, whose pages long skips (an oversized record) hand back as
    /// they go rather than holding a whole record's worth resident.
    var pages: PayloadBytes?

    init(buf: UnsafeBufferPointer<UInt8>, pos: Int, line: Int, source: String,
         decimalNumbers: Bool, maxDepth: Int, keys: JSONKeyCache) {
        self.buf = buf; self.pos = pos; self.line = line; self.source = source
        self.decimalNumbers = decimalNumbers; self.maxDepth = maxDepth; self.keys = keys
    }

    var atEnd: Bool { pos >= buf.count }

    // MARK: Whitespace

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < buf.count {
            let b = buf[pos]
            if b > 0x20 { return }
            if b == 0x20 || b == 0x09 || b == 0x0D {
                pos += 1
            } else if b == 0x0A {
                line += 1; pos += 1
            } else {
                return
            }
        }
    }

    /// A UTF-8 byte order mark is not JSON, but some servers send one.
    mutating func skipByteOrderMark() {
        if pos == 0, buf.count >= 3, buf[0] == 0xEF, buf[1] == 0xBB, buf[2] == 0xBF { pos = 3 }
    }

    // MARK: Values

    /// Parses one value. `depth` is the number of containers already open around it.
    mutating func parseValue(depth: Int) throws -> Value {
        skipWhitespace()
        guard pos < buf.count else { throw endOfInput() }
        switch buf[pos] {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        case UInt8(ascii: "t"): try expectLiteral(JSONParser.trueBytes); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral(JSONParser.falseBytes); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral(JSONParser.nullBytes); return .null
        default: throw invalidValueStart(at: pos)
        }
    }

    mutating func parseArray(depth: Int) throws -> Value {
        try checkDepth(depth)
        pos += 1
        skipWhitespace()
        guard pos < buf.count else { throw endOfInput() }
        if buf[pos] == UInt8(ascii: "]") { pos += 1; return .array([]) }
        var items: [Value] = []
        while true {
            items.append(try parseValue(depth: depth))
            skipWhitespace()
            guard pos < buf.count else { throw endOfInput() }
            switch buf[pos] {
            case UInt8(ascii: ","): pos += 1
            case UInt8(ascii: "]"): pos += 1; return .array(items)
            default: throw unexpected(at: pos, expected: "',' or ']' after an array element")
            }
        }
    }

    mutating func parseObject(depth: Int) throws -> Value {
        try checkDepth(depth)
        pos += 1
        // While every key comes from the cache only the values are collected: the keys
        // are the cache's, shared at the end. The first other key switches to `fields`,
        // made only then: most objects never need it, nor the two empty arrays it holds.
        var values: [Value] = []
        var fields: Fields? = nil
        var sharingKeys = true
        let expected = keys.expectedCount(depth: depth)
        if expected > 0 { values.reserveCapacity(expected) }
        skipWhitespace()
        guard pos < buf.count else { throw endOfInput() }
        if buf[pos] == UInt8(ascii: "}") { pos += 1; return .object(Fields()) }

        var slot = 0
        // True while every key so far matched the cached key at its slot: the
        // cached keys are distinct, so a matching key cannot be a duplicate.
        var matchesCache = true
        var seen: Set<String>? = nil
        while true {
            guard pos < buf.count else { throw endOfInput() }
            guard buf[pos] == UInt8(ascii: "\"") else { throw unexpected(at: pos, expected: "a member name in double quotes") }
            let (key, fromCache, rawKey) = try parseKey(depth: depth, slot: slot, matchesCache: matchesCache)
            skipWhitespace()
            guard pos < buf.count else { throw endOfInput() }
            guard buf[pos] == UInt8(ascii: ":") else { throw unexpected(at: pos, expected: "':' after a member name") }
            pos += 1
            let value = try parseValue(depth: depth)

            if sharingKeys && !fromCache {
                // Keys so far were cache slots 0..<slot; this one is not (it may repeat one of them).
                fields = Fields(uncheckedKeys: keys.shape(depth: depth, count: slot), values: values)
                values = []
                sharingKeys = false
            }
            if sharingKeys {
                values.append(value)
            } else if fromCache {
                fields!.appendUnchecked(key, value)
            } else if isDuplicate(key, in: fields!, seen: &seen) {
                fields![key] = value          // last one wins, in the first one's place
                matchesCache = false
            } else {
                fields!.appendUnchecked(key, value)
                if matchesCache {
                    if let rawKey { keys.store(depth: depth, slot: slot, bytes: rawKey, string: key) } else { matchesCache = false }
                }
            }
            slot += 1

            skipWhitespace()
            guard pos < buf.count else { throw endOfInput() }
            switch buf[pos] {
            case UInt8(ascii: ","):
                pos += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                pos += 1
                let object = sharingKeys ? Fields(uncheckedKeys: keys.shape(depth: depth, count: slot), values: values) : fields!
                if object.count != expected { keys.recordCount(object.count, depth: depth) }
                return .object(object)
            default:
                throw unexpected(at: pos, expected: "',' or '}' after an object member")
            }
        }
    }

    /// A member name. Reuses the cached String when the bytes match the key seen
    /// at this slot last time (`fromCache`), which also proves it is no duplicate.
    /// `raw` is the key's bytes when it had no escapes (what the cache compares).
    private mutating func parseKey(depth: Int, slot: Int, matchesCache: Bool) throws
        -> (key: String, fromCache: Bool, raw: UnsafeBufferPointer<UInt8>?) {
        let start = pos + 1
        var i = start
        var ascii = true
        while i < buf.count {
            let b = buf[i]
            if b == UInt8(ascii: "\"") { break }
            if b == UInt8(ascii: "\\") { return (try parseString(), false, nil) }
            if b < 0x20 { throw controlCharacter(at: i) }
            if b >= 0x80 { ascii = false }
            i += 1
        }
        guard i < buf.count else { throw endOfInput() }
        let span = UnsafeBufferPointer(rebasing: buf[start..<i])
        pos = i + 1
        if matchesCache, let cached = keys.lookup(depth: depth, slot: slot, span) { return (cached, true, span) }
        return (try makeString(span, ascii: ascii, rawStart: start), false, span)
    }

    /// Small objects are searched linearly; big ones get a set, so a hostile
    /// object with a million keys stays linear.
    private func isDuplicate(_ key: String, in fields: Fields, seen: inout Set<String>?) -> Bool {
        if fields.count < 32 { return fields.index(of: key) != nil }
        // Keys that came from the cache were appended without touching the set.
        if seen == nil || seen!.count != fields.count { seen = Set(fields.keys) }
        return !(seen!.insert(key).inserted)
    }

    private mutating func expectLiteral(_ literal: [UInt8]) throws {
        for (k, expected) in literal.enumerated() {
            guard pos + k < buf.count else { throw endOfInput() }
            guard buf[pos + k] == expected else { throw invalidToken(at: pos) }
        }
        pos += literal.count
    }

    private static let trueBytes: [UInt8] = Array("true".utf8)
    private static let falseBytes: [UInt8] = Array("false".utf8)
    private static let nullBytes: [UInt8] = Array("null".utf8)

    private func checkDepth(_ depth: Int) throws {
        if depth > maxDepth {
            throw error("nesting deeper than \(maxDepth) levels", at: pos,
                        detail: "refusing to read further (the payload may be hostile or broken)")
        }
    }

    // MARK: Skipping

    /// Steps over one value without building it: used for members outside the
    /// record path. Containers are checked for balanced brackets and well-formed
    /// strings, not for full grammar.
    mutating func skipValue(depth: Int) throws {
        skipWhitespace()
        guard pos < buf.count else { throw endOfInput() }
        let first = buf[pos]
        if first == UInt8(ascii: "\"") { try skipString(); return }
        if first == UInt8(ascii: "-") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) {
            // Scanned, not converted: a skipped 100 MB number costs no 100 MB string.
            while pos < buf.count, Self.isNumberByte(buf[pos]) { pos += 1 }
            return
        }
        guard first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else { _ = try parseValue(depth: depth); return }

        var closers: [UInt8] = []
        while pos < buf.count {
            let b = buf[pos]
            switch b {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                try checkDepth(depth + closers.count + 1)
                closers.append(b == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]"))
                pos += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard let expected = closers.last, expected == b else {
                    throw unexpected(at: pos, expected: "'\(Character(Unicode.Scalar(closers.last ?? b)))'")
                }
                closers.removeLast()
                pos += 1
                if closers.isEmpty { return }
            case UInt8(ascii: "\""):
                try skipString()
            case 0x0A:
                line += 1; pos += 1
            default:
                pos += 1
                if pos & 0xF_FFFF == 0 { pages?.release(before: pos) }   // every MiB
            }
        }
        throw endOfInput()
    }

    private static func isNumberByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
            || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
    }

    /// Steps over a string (pos at its opening quote) without decoding it.
    mutating func skipString() throws {
        var i = pos + 1
        while i < buf.count {
            let b = buf[i]
            if b == UInt8(ascii: "\"") { pos = i + 1; return }
            if b == UInt8(ascii: "\\") { i += 2; continue }
            if b < 0x20 { throw controlCharacter(at: i) }
            i += 1
            if i & 0xF_FFFF == 0 { pages?.release(before: i) }   // every MiB
        }
        throw endOfInput()
    }

    // MARK: Errors

    func error(_ reason: String, at offset: Int, detail: String? = nil, hint: String? = nil) -> JSONError {
        let (l, c) = TextPosition.of(offset: offset, in: buf)
        return JSONError(reason, detail: detail, hint: hint, source: source, byteOffset: offset, line: l, column: c)
    }

    func endOfInput() -> Error {
        if capped { return RecordCapReached() }
        if buf.count == 0 || isAllWhitespace() {
            return error("unexpected end of input", at: buf.count, detail: "the payload is empty")
        }
        return error("unexpected end of input", at: buf.count, detail: "the payload looks truncated")
    }

    private func isAllWhitespace() -> Bool {
        var i = (buf.count >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF) ? 3 : 0
        while i < buf.count {
            switch buf[i] { case 0x20, 0x09, 0x0A, 0x0D: i += 1; default: return false }
        }
        return true
    }

    func unexpected(at offset: Int, expected: String, hint: String? = nil) -> JSONError {
        error("unexpected \(describeCharacter(at: offset))", at: offset, detail: "expected \(expected)", hint: hint)
    }

    func controlCharacter(at offset: Int) -> JSONError {
        let hex = String(buf[offset], radix: 16, uppercase: true)
        return error("control character U+\(String(repeating: "0", count: 4 - hex.count))\(hex) inside a string", at: offset,
                     detail: "JSON strings must escape it (\\n, \\t, \\u00XX); an unterminated string also looks like this")
    }

    private func invalidValueStart(at offset: Int) -> JSONError {
        let b = buf[offset]
        if (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) {
            return invalidToken(at: offset)
        }
        return unexpected(at: offset, expected: "a JSON value")
    }

    private func invalidToken(at offset: Int) -> JSONError {
        error("invalid token '\(token(at: offset))'", at: offset,
              detail: "expected a JSON value (an object, array, string, number, true, false or null)")
    }

    /// The word starting at `offset`, for messages.
    func token(at offset: Int) -> String {
        var end = offset
        while end < buf.count, end - offset < 32 {
            let b = buf[end]
            let isWordByte = (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
                || b == UInt8(ascii: "+") || b == UInt8(ascii: ".") || b >= 0x80
            guard isWordByte else { break }
            end += 1
        }
        if end == offset { end = offset + 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: buf[offset..<min(end, buf.count)]), as: UTF8.self)
    }

    /// "'x'", "U+0000" or "byte 0xFF", for messages.
    func describeCharacter(at offset: Int) -> String {
        guard offset < buf.count else { return "end of input" }
        let b = buf[offset]
        if b >= 0x20 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        if b < 0x80 {
            let hex = String(b, radix: 16, uppercase: true)
            return "control character U+\(String(repeating: "0", count: 4 - hex.count))\(hex)"
        }
        if UTF8Check.firstInvalid(in: buf, from: offset, to: min(offset + 4, buf.count)) != offset {
            var end = offset + 1
            while end < buf.count, buf[end] & 0xC0 == 0x80 { end += 1 }
            if let s = String(validating: UnsafeBufferPointer(rebasing: buf[offset..<end]), as: UTF8.self) { return "'\(s)'" }
        }
        return "byte 0x\(String(b, radix: 16, uppercase: true))"
    }

    /// "an object", "a string", ... for "expected a JSON array, found ...".
    func describeValueKind(at offset: Int) -> String {
        guard offset < buf.count else { return "nothing" }
        switch buf[offset] {
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "\""): return "a string"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return "a number"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
        case UInt8(ascii: "n"): return "null"
        default: return describeCharacter(at: offset)
        }
    }
}
