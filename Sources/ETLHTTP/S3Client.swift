import Crypto
import Foundation

/// The handful of S3 calls etl needs, signed with SigV4 and retried on
/// throttling and server errors.
public final class S3Client {
    public let configuration: S3Configuration
    public var retry: RetryPolicy
    /// Seconds allowed for one request, body included.
    public var requestTimeout: Double = 120
    /// Receives one line per retry.
    public var log: (String) -> Void = { _ in }
    private let http: HTTPTransport
    private let signer: SigV4Signer

    public init(configuration: S3Configuration, http: HTTPTransport = HTTPClient(),
                retry: RetryPolicy = RetryPolicy(backoff: [1, 3, 9])) {
        self.configuration = configuration
        self.http = http
        self.retry = retry
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region, service: "s3")
    }

    /// Configured from the AWS_* environment variables (see `S3Configuration.fromEnvironment`).
    public convenience init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.init(configuration: try S3Configuration.fromEnvironment(environment))
    }

    // MARK: - Operations

    /// Uploads one object; returns its ETag when S3 sends one.
    @discardableResult
    public func putObject(bucket: String, key: String, body: Data, contentType: String? = nil) throws -> String? {
        let response = try perform("PutObject", .put, bucket: bucket, key: key, body: body,
                                   headers: [("Content-Type", contentType ?? "application/octet-stream")])
        return response.headers["ETag"]
    }

    public func deleteObject(bucket: String, key: String) throws {
        try perform("DeleteObject", .delete, bucket: bucket, key: key)
    }

    public func getObject(bucket: String, key: String) throws -> Data {
        try perform("GetObject", .get, bucket: bucket, key: key).body
    }

    /// Every key under `prefix` (all pages of ListObjectsV2), in S3's order.
    public func listObjects(bucket: String, prefix: String = "") throws -> [String] {
        var keys: [String] = []
        var token: String? = nil
        repeat {
            var query: [(String, String?)] = [("list-type", "2")]
            if !prefix.isEmpty { query.append(("prefix", prefix)) }
            if let token { query.append(("continuation-token", token)) }
            let xml = try perform("ListObjectsV2", .get, bucket: bucket, query: query).text
            // <Key> appears only inside <Contents> in a ListObjectsV2 answer.
            keys += SimpleXML.values(of: "Key", in: xml)
            let truncated = SimpleXML.firstValue(of: "IsTruncated", in: xml) == "true"
            token = truncated ? SimpleXML.firstValue(of: "NextContinuationToken", in: xml) : nil
        } while token != nil
        return keys
    }

    /// Creates the bucket; one that already exists and is ours counts as success.
    public func createBucket(_ bucket: String) throws {
        var body: Data? = nil
        if configuration.region != "us-east-1" {
            body = Data(("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<LocationConstraint>\(SimpleXML.escape(configuration.region))</LocationConstraint></CreateBucketConfiguration>").utf8)
        }
        do {
            try perform("CreateBucket", .put, bucket: bucket, body: body)
        } catch let error as S3Error where error.code == "BucketAlreadyOwnedByYou" {
            return
        }
    }

    /// The bucket's lifecycle configuration XML, or nil when it has none.
    public func getLifecycleConfiguration(bucket: String) throws -> String? {
        do {
            return try perform("GetBucketLifecycleConfiguration", .get, bucket: bucket, query: [("lifecycle", nil)]).text
        } catch let error as S3Error where error.code == "NoSuchLifecycleConfiguration" || (error.status == 404 && error.code == nil) {
            return nil
        }
    }

    /// Makes objects under `prefix` expire after `days` days.
    ///
    /// S3 stores one lifecycle configuration per bucket, so the bucket's other
    /// rules are kept: only the rule etl owns for this prefix (ID `etl-expire-<prefix>`) is replaced.
    public func putLifecycleExpiration(bucket: String, prefix: String, days: Int) throws {
        guard days >= 1 else {
            throw S3SetupError(message: "retention must be at least 1 day, got \(days)", hint: "set the archive retention to a positive number of days")
        }
        let ruleID = S3Client.lifecycleRuleID(prefix: prefix)
        var rules: [String] = []
        if let existing = try getLifecycleConfiguration(bucket: bucket) {
            rules = SimpleXML.elements("Rule", in: existing)
                .filter { SimpleXML.firstValue(of: "ID", in: $0) != ruleID }
                .map { "<Rule>\($0)</Rule>" }
        }
        rules.append("<Rule><ID>\(SimpleXML.escape(ruleID))</ID><Filter><Prefix>\(SimpleXML.escape(prefix))</Prefix></Filter>"
            + "<Status>Enabled</Status><Expiration><Days>\(days)</Days></Expiration></Rule>")
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            + "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" + rules.joined() + "</LifecycleConfiguration>"
        let body = Data(xml.utf8)
        // S3 refuses a lifecycle configuration without an integrity header.
        let md5 = Data(Insecure.MD5.hash(data: body)).base64EncodedString()
        try perform("PutBucketLifecycleConfiguration", .put, bucket: bucket, query: [("lifecycle", nil)], body: body,
                    headers: [("Content-MD5", md5), ("Content-Type", "application/xml")])
    }

    /// The ID etl gives its expiration rule for a prefix (S3 caps IDs at 255 characters).
    public static func lifecycleRuleID(prefix: String) -> String {
        String(("etl-expire-" + (prefix.isEmpty ? "all" : prefix)).prefix(255))
    }

    // MARK: - Addressing

    /// The request URL: path-style on a custom endpoint (and for dotted bucket
    /// names, which break the TLS wildcard), virtual-hosted on AWS otherwise.
    public func url(bucket: String, key: String? = nil, query: [(String, String?)] = []) -> String {
        let encodedKey = key.map { AWSURIEncoding.encode($0, keepSlash: true) } ?? ""
        var url: String
        if let endpoint = configuration.endpoint {
            url = "\(endpoint)/\(AWSURIEncoding.encode(bucket))/\(encodedKey)"
        } else if bucket.contains(".") {
            url = "https://s3.\(configuration.region).amazonaws.com/\(AWSURIEncoding.encode(bucket))/\(encodedKey)"
        } else {
            url = "https://\(bucket).s3.\(configuration.region).amazonaws.com/\(encodedKey)"
        }
        if !query.isEmpty {
            url += "?" + query.map { name, value in
                AWSURIEncoding.encode(name) + (value.map { "=" + AWSURIEncoding.encode($0) } ?? "")
            }.joined(separator: "&")
        }
        return url
    }

    // MARK: - Transport

    @discardableResult
    private func perform(_ operation: String, _ method: HTTPMethod, bucket: String, key: String? = nil,
                         query: [(String, String?)] = [], body: Data? = nil,
                         headers: [(String, String)] = []) throws -> HTTPResponse {
        guard !bucket.isEmpty else {
            throw S3SetupError(message: "S3 \(operation) needs a bucket name", hint: "use an archive URL such as s3://my-bucket/prefix")
        }
        let target = url(bucket: bucket, key: key, query: query)
        let signed = try signer.sign(method: method.rawValue, url: target, headers: headers,
                                     payloadHash: SigV4Signer.payloadHash(body ?? Data()), date: Date())
        let request = HTTPRequest(method: method, url: target, headers: signed.headers, body: body,
                                  connectTimeout: 10, totalTimeout: requestTimeout)
        let (response, attempts) = try retry.sendWithRetries(request, client: http, log: log)
        guard (200..<300).contains(response.status) else {
            let xml = response.text
            throw S3Error(operation: operation, bucket: bucket, key: key, status: response.status,
                          code: SimpleXML.firstValue(of: "Code", in: xml),
                          serverMessage: SimpleXML.firstValue(of: "Message", in: xml), attempts: attempts)
        }
        return response
    }
}
