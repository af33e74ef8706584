/// An integer's decimal digits appended to a byte buffer, with no String in
/// between: JSON text, COPY fields and bound parameters write one for every integer value.
public enum IntegerText {
    @inlinable
    public static func append(_ value: Int64, to out: inout [UInt8]) {
        if value >= 0 && value < 10 { out.append(UInt8(truncatingIfNeeded: 48 + value)); return }
        if value == Int64.min { out.append(contentsOf: "-9223372036854775808".utf8); return }
        var v = value
        if v < 0 { out.append(UInt8(ascii: "-")); v = -v }
        // Digits from the right into a stack buffer, appended in one go (reversing
        // a slice of `out` in place copied the whole buffer).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var i = 20
            repeat { i -= 1; digits[i] = UInt8(truncatingIfNeeded: 48 + v % 10); v /= 10 } while v > 0
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[i..<20]))
        }
    }
}
