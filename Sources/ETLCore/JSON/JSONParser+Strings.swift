/// JSON strings: a fast path that turns the raw bytes into a String when there
/// are no escapes, and a slow path that decodes escapes into a scratch buffer.
extension JSONParser {
    /// Parses the string whose opening quote is at `pos`.
    mutating func parseString() throws -> String {
        let start = pos + 1
        var i = start
        var ascii = true
        while i < buf.count {
            let b = buf[i]
            if b == UInt8(ascii: "\"") {
                pos = i + 1
                return try makeString(UnsafeBufferPointer(rebasing: buf[start..<i]), ascii: ascii, rawStart: start)
            }
            if b == UInt8(ascii: "\\") { return try parseEscapedString(contentStart: start, firstEscape: i) }
            if b < 0x20 { throw controlCharacter(at: i) }
            if b >= 0x80 { ascii = false }
            i += 1
        }
        throw endOfInput()
    }

    /// ASCII needs no validation; anything else must be well-formed UTF-8.
    @inline(__always)
    func makeString(_ span: UnsafeBufferPointer<UInt8>, ascii: Bool, rawStart: Int) throws -> String {
        if ascii { return String(decoding: span, as: UTF8.self) }
        if let s = String(validating: span, as: UTF8.self) { return s }
        throw invalidUTF8(from: rawStart, to: rawStart + span.count)
    }

    private mutating func parseEscapedString(contentStart: Int, firstEscape: Int) throws -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buf[contentStart..<firstEscape]))
        var i = firstEscape
        while i < buf.count {
            let b = buf[i]
            if b == UInt8(ascii: "\"") {
                guard let s = String(validating: scratch, as: UTF8.self) else {
                    throw invalidUTF8(from: contentStart, to: i)
                }
                pos = i + 1
                return s
            }
            if b < 0x20 { throw controlCharacter(at: i) }
            guard b == UInt8(ascii: "\\") else { scratch.append(b); i += 1; continue }

            guard i + 1 < buf.count else { throw endOfInput() }
            switch buf[i + 1] {
            case UInt8(ascii: "\""): scratch.append(0x22)
            case UInt8(ascii: "\\"): scratch.append(0x5C)
            case UInt8(ascii: "/"): scratch.append(0x2F)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                let (scalar, next) = try parseUnicodeEscape(at: i)
                appendUTF8(scalar)
                i = next
                continue
            default:
                throw error("invalid escape '\\\(token(at: i + 1).prefix(1))' in a string", at: i,
                            detail: "JSON allows \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX")
            }
            i += 2
        }
        throw endOfInput()
    }

    /// `\uXXXX` at `i` (the backslash), joining a surrogate pair into one scalar.
    /// Returns the scalar and the index after the escape(s).
    private func parseUnicodeEscape(at i: Int) throws -> (UInt32, Int) {
        let high = try hex4(at: i + 2, escapeAt: i)
        if high >= 0xDC00 && high <= 0xDFFF {
            throw error("lone low surrogate \\u\(hexText(high)) in a string", at: i,
                        detail: "a low surrogate must follow a high one (\\uD800–\\uDBFF)")
        }
        guard high >= 0xD800 && high <= 0xDBFF else { return (high, i + 6) }

        // A high surrogate: the next escape must be its low half.
        let next = i + 6
        if next >= buf.count || (next + 1 >= buf.count && buf[next] == UInt8(ascii: "\\")) { throw endOfInput() }
        guard buf[next] == UInt8(ascii: "\\"), buf[next + 1] == UInt8(ascii: "u") else {
            throw loneHighSurrogate(high, at: i)
        }
        let low = try hex4(at: next + 2, escapeAt: next)
        guard low >= 0xDC00 && low <= 0xDFFF else { throw loneHighSurrogate(high, at: i) }
        return (0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00), next + 6)
    }

    private func loneHighSurrogate(_ high: UInt32, at i: Int) -> JSONError {
        error("lone high surrogate \\u\(hexText(high)) in a string", at: i,
              detail: "it must be followed by a low surrogate escape (\\uDC00–\\uDFFF)")
    }

    private func hex4(at start: Int, escapeAt: Int) throws -> UInt32 {
        var value: UInt32 = 0
        for k in 0..<4 {
            guard start + k < buf.count else { throw endOfInput() }
            let b = buf[start + k]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default:
                throw error("invalid \\u escape in a string", at: escapeAt, detail: "expected 4 hex digits after \\u")
            }
            value = value << 4 | digit
        }
        return value
    }

    private func hexText(_ v: UInt32) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | (scalar >> 6)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | (scalar >> 12)))
            scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            scratch.append(UInt8(0xF0 | (scalar >> 18)))
            scratch.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    private func invalidUTF8(from start: Int, to end: Int) -> JSONError {
        let bad = UTF8Check.firstInvalid(in: buf, from: start, to: end)
        return error("invalid UTF-8 (byte 0x\(String(buf[min(bad, buf.count - 1)], radix: 16, uppercase: true))) in a string",
                     at: bad, detail: "JSON text must be UTF-8",
                     hint: "check the charset the source sends (Latin-1 or Windows-1252 look like this)")
    }
}

/// Finds where well-formed UTF-8 stops, to point at the bad byte.
enum UTF8Check {
    /// Index of the first byte of the first ill-formed sequence in `from..<to`, or `to`.
    static func firstInvalid(in buf: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int {
        var i = from
        while i < to {
            let b = buf[i]
            if b < 0x80 { i += 1; continue }
            let length: Int, minimum: UInt32
            if b & 0xE0 == 0xC0 { length = 2; minimum = 0x80 }
            else if b & 0xF0 == 0xE0 { length = 3; minimum = 0x800 }
            else if b & 0xF8 == 0xF0 { length = 4; minimum = 0x10000 }
            else { return i }
            guard i + length <= to else { return i }
            var scalar = UInt32(b) & (0x7F >> UInt32(length))
            for k in 1..<length {
                let c = buf[i + k]
                guard c & 0xC0 == 0x80 else { return i }
                scalar = scalar << 6 | UInt32(c & 0x3F)
            }
            if scalar < minimum || scalar > 0x10FFFF || (scalar >= 0xD800 && scalar <= 0xDFFF) { return i }
            i += length
        }
        return to
    }
}
