import Foundation

/// JSON numbers, read straight from the bytes. Integers that fit Int64 become
/// `.int` without any String; everything else goes through the standard
/// library's correctly rounded conversion (or Decimal when asked to keep the
/// exact decimal digits, as money needs).
extension JSONParser {
    mutating func parseNumber() throws -> Value {
        let start = pos
        var i = pos
        let negative = buf[i] == UInt8(ascii: "-")
        if negative { i += 1 }

        // Integer part, accumulated as a negative number so Int64.min fits.
        var accumulated: Int64 = 0
        var overflow = false
        guard i < buf.count else { throw endOfInput() }
        guard isDigit(buf[i]) else { throw invalidNumber(start, "expected a digit after '-'") }
        if buf[i] == UInt8(ascii: "0") {
            i += 1
            if i < buf.count, isDigit(buf[i]) { throw invalidNumber(start, "leading zeros are not allowed") }
        } else {
            while i < buf.count, isDigit(buf[i]) {
                if !overflow {
                    let (times10, o1) = accumulated.multipliedReportingOverflow(by: 10)
                    let (next, o2) = times10.subtractingReportingOverflow(Int64(buf[i] &- UInt8(ascii: "0")))
                    if o1 || o2 { overflow = true } else { accumulated = next }
                }
                i += 1
            }
        }

        var hasFraction = false, hasExponent = false
        if i < buf.count, buf[i] == UInt8(ascii: ".") {
            hasFraction = true
            i += 1
            guard i < buf.count else { throw endOfInput() }
            guard isDigit(buf[i]) else { throw invalidNumber(start, "expected a digit after '.'") }
            while i < buf.count, isDigit(buf[i]) { i += 1 }
        }
        let mantissaEnd = i
        if i < buf.count, buf[i] == UInt8(ascii: "e") || buf[i] == UInt8(ascii: "E") {
            hasExponent = true
            i += 1
            if i < buf.count, buf[i] == UInt8(ascii: "+") || buf[i] == UInt8(ascii: "-") { i += 1 }
            guard i < buf.count else { throw endOfInput() }
            guard isDigit(buf[i]) else { throw invalidNumber(start, "expected a digit in the exponent") }
            while i < buf.count, isDigit(buf[i]) { i += 1 }
        }
        pos = i

        if !hasFraction && !hasExponent && !overflow {
            if negative { return .int(accumulated) }
            if accumulated != Int64.min { return .int(-accumulated) }
            overflow = true   // 9223372036854775808
        }

        // Short numbers make small Strings, which do not allocate.
        let text = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<i]), as: UTF8.self)
        if decimalNumbers && !hasExponent, let d = Decimal(string: text, locale: nil) {
            return .decimal(d)
        }
        guard let d = Double(text), d.isFinite else {
            throw error("number \(text) is out of range", at: start, detail: "it does not fit a 64-bit floating point number")
        }
        // Underflow is as lossy as overflow: 1e-400 would silently become 0 (and pass as an integer).
        if d == 0, buf[start..<mantissaEnd].contains(where: { $0 &- UInt8(ascii: "1") < 9 }) {
            throw error("number \(text) is out of range", at: start,
                        detail: "it is too close to zero for a 64-bit floating point number, which would read it as 0")
        }
        return .double(d)
    }

    @inline(__always)
    private func isDigit(_ b: UInt8) -> Bool { b &- UInt8(ascii: "0") < 10 }

    private func invalidNumber(_ start: Int, _ why: String) -> JSONError {
        error("invalid number '\(token(at: start))'", at: start, detail: why)
    }
}
