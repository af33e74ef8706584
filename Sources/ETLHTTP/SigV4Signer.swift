import Crypto
import Foundation

/// AWS Signature Version 4 for the `Authorization` header.
///
/// Paths are encoded once, as S3 expects (`/test$file.text` → `/test%24file.text`);
/// other services get the double encoding AWS specifies for them.
public struct SigV4Signer: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    public var service: String

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials; self.region = region; self.service = service
    }

    /// SHA-256 of an empty body, the payload hash of GET/HEAD/DELETE.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public static func payloadHash(_ body: Data) -> String { Hex.sha256(body) }

    public struct Signed: Sendable {
        /// The request's headers plus `Host`, `x-amz-date`, `x-amz-content-sha256` (S3),
        /// `x-amz-security-token` (session credentials) and `Authorization`: send all of them.
        public var headers: [(String, String)]
        public var authorization: String
        public var signature: String
        public var signedHeaders: String
        public var canonicalRequest: String
        public var stringToSign: String
    }

    /// Signs every header given (plus the ones it adds). `date` is the signing time.
    public func sign(method: String, url: String, headers: [(String, String)], payloadHash: String, date: Date) throws -> Signed {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            throw S3SetupError(message: "cannot sign a request for '\(URLRedaction.redact(url))': not an absolute URL",
                                 hint: "use a URL such as https://bucket.s3.us-east-1.amazonaws.com/key")
        }
        let time = UTCDateParts(date)
        var all = headers
        func has(_ name: String) -> Bool { all.contains { $0.0.caseInsensitiveCompare(name) == .orderedSame } }
        if !has("host") { all.append(("Host", components.port.map { "\(host):\($0)" } ?? host)) }
        if !has("x-amz-date") { all.append(("x-amz-date", time.basicDateTime)) }
        if service == "s3" && !has("x-amz-content-sha256") { all.append(("x-amz-content-sha256", payloadHash)) }
        if let token = credentials.sessionToken, !has("x-amz-security-token") { all.append(("x-amz-security-token", token)) }

        // Lower-case names, trimmed values with runs of spaces collapsed, repeated names joined by commas.
        var merged: [String: [String]] = [:]
        for (name, value) in all {
            let collapsed = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            merged[name.lowercased(), default: []].append(collapsed.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let names = merged.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\((merged[$0] ?? []).joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")

        let canonicalRequest = [
            method.uppercased(),
            canonicalURI(components.percentEncodedPath),
            Self.canonicalQuery(components.percentEncodedQuery),
            canonicalHeaders,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")

        let amzDate = merged["x-amz-date"]?.first ?? time.basicDateTime
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Hex.sha256(Data(canonicalRequest.utf8))].joined(separator: "\n")

        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Hex.encode(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope),SignedHeaders=\(signedHeaders),Signature=\(signature)"
        all.append(("Authorization", authorization))
        return Signed(headers: all, authorization: authorization, signature: signature, signedHeaders: signedHeaders,
                      canonicalRequest: canonicalRequest, stringToSign: stringToSign)
    }

    func canonicalURI(_ percentEncodedPath: String) -> String {
        guard !percentEncodedPath.isEmpty else { return "/" }
        // Decode then encode each segment: a raw `$` and an already-escaped `%24` sign the same.
        let once = percentEncodedPath.split(separator: "/", omittingEmptySubsequences: false)
            .map { AWSURIEncoding.encode(AWSURIEncoding.decode(String($0))) }
            .joined(separator: "/")
        return service == "s3" ? once : AWSURIEncoding.encode(once, keepSlash: true)
    }

    static func canonicalQuery(_ percentEncodedQuery: String?) -> String {
        guard let query = percentEncodedQuery, !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&").map { item -> (String, String) in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = AWSURIEncoding.encode(AWSURIEncoding.decode(String(parts[0])))
            let value = parts.count > 1 ? AWSURIEncoding.encode(AWSURIEncoding.decode(String(parts[1]))) : ""
            return (name, value)
        }
        return pairs.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }
}
