import CCurl

public enum CurlLibrary {
    /// The linked libcurl and its TLS library, e.g. "8.5.0 (OpenSSL/3.0.13)".
    public static var version: String {
        guard let info = etl_curl_version_info()?.pointee else { return "unknown" }
        let version = info.version.map { String(cString: $0) } ?? "unknown"
        return info.ssl_version.map { "\(version) (\(String(cString: $0)))" } ?? version
    }
}
