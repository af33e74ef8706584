import Foundation

/// Where S3 is and who we are to it, usually read from the standard AWS variables.
public struct S3Configuration: Sendable {
    /// A custom endpoint (MinIO, moto, LocalStack…): requests use path-style
    /// addressing on it. Nil: AWS itself, virtual-hosted `https://BUCKET.s3.REGION.amazonaws.com`.
    public var endpoint: String?
    public var region: String
    public var credentials: AWSCredentials

    public init(endpoint: String? = nil, region: String = "us-east-1", credentials: AWSCredentials) {
        var trimmed = endpoint?.trimmingCharacters(in: .whitespaces)
        while trimmed?.hasSuffix("/") == true { trimmed?.removeLast() }
        self.endpoint = (trimmed?.isEmpty ?? true) ? nil : trimmed
        self.region = region
        self.credentials = credentials
    }

    /// Reads AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, AWS_REGION (or AWS_DEFAULT_REGION, default
    /// us-east-1), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the optional AWS_SESSION_TOKEN.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> S3Configuration {
        func value(_ name: String) -> String? {
            guard let v = env[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
            return v
        }
        let hint = "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary credentials)"
        guard let keyID = value("AWS_ACCESS_KEY_ID") else {
            throw S3SetupError(message: "S3 needs credentials but AWS_ACCESS_KEY_ID is not set", hint: hint)
        }
        guard let secret = value("AWS_SECRET_ACCESS_KEY") else {
            throw S3SetupError(message: "S3 needs credentials but AWS_SECRET_ACCESS_KEY is not set", hint: hint)
        }
        let endpoint = value("AWS_ENDPOINT_URL_S3") ?? value("AWS_ENDPOINT_URL")
        if let endpoint, !(endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://")) {
            throw S3SetupError(message: "AWS_ENDPOINT_URL '\(URLRedaction.redact(endpoint))' is not an http(s) URL",
                                       hint: "use a URL such as http://127.0.0.1:9000")
        }
        return S3Configuration(
            endpoint: endpoint,
            region: value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? "us-east-1",
            credentials: AWSCredentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN")))
    }
}
