/// S3 answered with an error status. `code` is S3's own error code from the
/// XML body (`NoSuchBucket`, `AccessDenied`, …) when it sent one.
public struct S3Error: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var bucket: String
    public var key: String?
    public var status: Int
    public var code: String?
    public var serverMessage: String?
    public var attempts: Int

    public init(operation: String, bucket: String, key: String? = nil, status: Int, code: String?, serverMessage: String?, attempts: Int = 1) {
        self.operation = operation; self.bucket = bucket; self.key = key; self.status = status
        self.code = code; self.serverMessage = serverMessage; self.attempts = attempts
    }

    public var message: String {
        let target = key.map { "s3://\(bucket)/\($0)" } ?? "s3://\(bucket)"
        var s = "S3 \(operation) on \(target) failed: HTTP \(status)"
        if let code { s += " \(code)" }
        if let serverMessage, !serverMessage.isEmpty { s += " (\(serverMessage))" }
        if attempts > 1 { s += " after \(attempts) attempts" }
        return s
    }

    public var hint: String {
        switch code ?? "" {
        case "NoSuchBucket": return "create the bucket or fix its name in the archive URL"
        case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken":
            return "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN and the bucket policy"
        case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
            return "set AWS_REGION to the bucket's region"
        default:
            return status >= 500 ? "S3 failed on its side; retry later" : "see S3's error code above"
        }
    }

    public var description: String { message + " (hint: \(hint))" }
}
