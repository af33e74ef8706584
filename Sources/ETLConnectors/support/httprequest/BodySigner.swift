import Foundation
import ETLCore
import ETLHTTP

/// Signs each request: an HMAC of the exact body bytes, in a header
/// (`X-Hub-Signature-256: sha256=<hex>`), so the receiver can check who sent it.
struct BodySigner {
    let algorithm: Digests.HMACAlgorithm
    let secret: Data
    let header: String
    let base64: Bool
    let prefix: String

    init?(_ options: Options) throws {
        guard let sign = options[HTTPRequestOptions.sign] else { return nil }
        typealias S = HTTPRequestOptions.Sign
        algorithm = Digests.HMACAlgorithm(rawValue: sign[S.algorithm]) ?? .sha256
        let secretText = sign[S.secret]
        guard !secretText.isEmpty else {
            throw options.error(HTTPRequestOptions.sign, "sign.secret is empty", hint: "set it, e.g. `secret: ${HOOK_SECRET}`")
        }
        secret = Data(secretText.utf8)
        header = sign[S.header]
        base64 = sign[S.encoding] == "base64"
        prefix = sign[S.prefix] ?? ""
    }

    func signature(of body: Data) -> (String, String) {
        let mac = Digests.hmac(algorithm, key: secret, data: body)
        return (header, prefix + (base64 ? mac.base64EncodedString() : Digests.hex(mac)))
    }
}
