import Foundation
import Crypto
import ETLConfig

/// Proves a request came from the sender that knows the secret. Comparisons
/// take the same time whatever bytes differ, and run over the raw body bytes
/// exactly as received (never a re-encoded JSON).
struct RequestVerifier {
    let verification: WebhookVerification

    /// Headers the verification reads: never stored in the inbox nor logged.
    var secretHeaders: Set<String> {
        switch verification {
        case .hmac(let h): return Set([h.header.lowercased()])
        case .apiKey(let header, _): return [header.lowercased()]
        case .none: return []
        }
    }

    /// nil when the request is authentic; otherwise why not (for the 401 body — never the expected value).
    func refusal(body: [UInt8], header: (String) -> String?, now: Date = Date()) -> String? {
        switch verification {
        case .none:
            return nil
        case .apiKey(let name, let secret):
            guard let given = header(name) else { return "missing \(name) header" }
            return Self.constantTimeEqual(Array(given.utf8), Array(secret.utf8)) ? nil : "invalid API key"
        case .hmac(let h):
            guard var given = header(h.header) else { return "missing \(h.header) header" }
            given = given.trimmingCharacters(in: .whitespaces)
            if !h.prefix.isEmpty {
                guard given.hasPrefix(h.prefix) else { return "invalid signature" }
                given.removeFirst(h.prefix.count)
            }
            guard let signature = h.encoding == .hex ? Self.hexBytes(given) : Data(base64Encoded: given).map(Array.init) else {
                return "invalid signature"
            }
            var payload = body
            if let tsHeader = h.timestampHeader {
                guard let text = header(tsHeader), let ts = Double(text.trimmingCharacters(in: .whitespaces)) else {
                    return "missing \(tsHeader) header"
                }
                payload = Array((text.trimmingCharacters(in: .whitespaces) + ".").utf8) + body
                guard Self.mac(h, payload, signature) else { return "invalid signature" }
                // Checked after the signature: an attacker cannot learn the tolerance by probing.
                guard abs(now.timeIntervalSince1970 - ts) <= h.tolerance else { return "stale timestamp: replays are refused" }
                return nil
            }
            return Self.mac(h, payload, signature) ? nil : "invalid signature"
        }
    }

    private static func mac(_ h: HMACVerification, _ payload: [UInt8], _ signature: [UInt8]) -> Bool {
        let key = SymmetricKey(data: Array(h.secret.utf8))
        switch h.algorithm {
        case .sha1: return HMAC<Insecure.SHA1>.isValidAuthenticationCode(signature, authenticating: payload, using: key)
        case .sha256: return HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: payload, using: key)
        case .sha512: return HMAC<SHA512>.isValidAuthenticationCode(signature, authenticating: payload, using: key)
        }
    }

    /// Time depends on the lengths only, never on where the bytes differ.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0, y = i < b.count ? b[i] : 0
            difference |= x ^ y
        }
        return difference == 0
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8](); out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo); i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}
