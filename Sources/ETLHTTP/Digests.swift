import Crypto
import Foundation

/// Hashes and message authentication codes over request bodies, for callers
/// that sign what they send or derive keys from it.
public enum Digests {
    public enum HMACAlgorithm: String, Sendable, CaseIterable {
        case sha1, sha256, sha512
    }

    /// SHA-256 of `data` as lower-case hex.
    public static func sha256Hex(_ data: Data) -> String { Hex.sha256(data) }

    public static func sha256Hex(_ text: String) -> String { Hex.sha256(Data(text.utf8)) }

    /// HMAC of `data` keyed by `key`.
    public static func hmac(_ algorithm: HMACAlgorithm, key: Data, data: Data) -> Data {
        let symmetric = SymmetricKey(data: key)
        switch algorithm {
        case .sha1: return Data(HMAC<Insecure.SHA1>.authenticationCode(for: data, using: symmetric))
        case .sha256: return Data(HMAC<SHA256>.authenticationCode(for: data, using: symmetric))
        case .sha512: return Data(HMAC<SHA512>.authenticationCode(for: data, using: symmetric))
        }
    }

    public static func hex(_ data: Data) -> String { Hex.encode(data) }
}
