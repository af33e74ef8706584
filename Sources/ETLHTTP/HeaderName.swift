/// Header names compare without regard to ASCII case (RFC 9110). Done on the
/// UTF-8 bytes: Foundation's `caseInsensitiveCompare` costs microseconds a call,
/// and a request at thousands a second compares names several times.
enum HeaderName {
    static func same(_ a: String, _ b: String) -> Bool {
        let x = a.utf8, y = b.utf8
        guard x.count == y.count else { return false }
        for (p, q) in zip(x, y) where p != q {
            guard lower(p) == lower(q) else { return false }
        }
        return true
    }

    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 {
        (65...90).contains(byte) ? byte + 32 : byte
    }
}
