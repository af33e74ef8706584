import Foundation

/// `Decimal` → text without `Decimal.description`, which on Linux costs more
/// than the rest of a COPY row together. Reads Foundation's packed layout
/// (exponent byte, length/flags byte, 16-bit mantissa words) only after a
/// self-check at start-up proves the layout is the one expected; otherwise,
/// and for mantissas over 64 bits, it falls back to `description`.
public enum DecimalText {
    public static func append(_ value: Decimal, to out: inout [UInt8]) {
        guard layoutVerified, let (negative, exponent, mantissa) = decode(value) else {
            out.append(contentsOf: value.description.utf8)
            return
        }
        format(negative: negative, exponent: exponent, mantissa: mantissa, to: &out)
    }

    public static func string(_ value: Decimal) -> String {
        var bytes: [UInt8] = []
        append(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static let layoutVerified: Bool = {
        guard MemoryLayout<Decimal>.size == 20 else { return false }
        let samples = ["0", "1", "-1", "12.34", "-12345.67", "0.001", "-0.5", "100", "18446744073709551615",
                       "123456789.000123", "1e20", "-7e-30"]
        for sample in samples {
            guard let value = Decimal(string: sample, locale: Locale(identifier: "en_US_POSIX")),
                  let (negative, exponent, mantissa) = decode(value) else { return false }
            var bytes: [UInt8] = []
            format(negative: negative, exponent: exponent, mantissa: mantissa, to: &bytes)
            guard Decimal(string: String(decoding: bytes, as: UTF8.self), locale: Locale(identifier: "en_US_POSIX")) == value
            else { return false }
        }
        return true
    }()

    /// Sign, exponent and mantissa when the mantissa fits 64 bits; nil otherwise.
    private static func decode(_ value: Decimal) -> (Bool, Int, UInt64)? {
        if value.isNaN { return nil }
        var copy = value
        return withUnsafeBytes(of: &copy) { raw -> (Bool, Int, UInt64)? in
            let exponent = Int(Int8(bitPattern: raw[0]))
            let length = Int(raw[1] >> 4)
            let negative = raw[1] & 0x08 != 0
            guard length <= 4, exponent == value.exponent || length == 0 else { return nil }
            var mantissa: UInt64 = 0
            for word in 0..<8 {
                let w = UInt64(raw[4 + 2 * word]) | UInt64(raw[5 + 2 * word]) << 8
                if word < length { mantissa |= w << (16 * UInt64(word)) } else if w != 0 { return nil }
            }
            if length == 0 { return (false, 0, 0) }
            guard negative == (value.sign == .minus) else { return nil }
            return (negative, exponent, mantissa)
        }
    }

    private static func format(negative: Bool, exponent: Int, mantissa: UInt64, to out: inout [UInt8]) {
        if mantissa == 0 { out.append(UInt8(ascii: "0")); return }
        if negative { out.append(UInt8(ascii: "-")) }
        let start = out.count
        var m = mantissa
        while m > 0 { out.append(UInt8(48 + m % 10)); m /= 10 }
        out[start...].reverse()
        let digitCount = out.count - start
        if exponent >= 0 {
            for _ in 0..<exponent { out.append(UInt8(ascii: "0")) }
        } else if digitCount > -exponent {
            out.insert(UInt8(ascii: "."), at: out.count + exponent)
        } else {
            let zeros = [UInt8](repeating: UInt8(ascii: "0"), count: -exponent - digitCount)
            out.insert(contentsOf: [UInt8(ascii: "0"), UInt8(ascii: ".")] + zeros, at: start)
        }
    }
}
