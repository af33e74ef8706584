import ETLCore
import ETLHTTP
import Foundation

/// Where sources keep the raw payloads they fetched: an S3 bucket (with an
/// optional key prefix) or a local directory.
public final class ArchiveStore {
    public enum Location: Equatable, Sendable {
        case s3(bucket: String, prefix: String)
        case directory(String)
    }

    public let location: Location
    private let s3: S3Client?

    /// `url`: `s3://bucket/optional/prefix`, `file:///abs/dir`, or a directory path.
    /// For S3 the client comes from the AWS_* variables in `environment` unless one is given.
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment, s3Client: S3Client? = nil) throws {
        location = try ArchiveStore.parse(url)
        if case .s3 = location {
            let client = try s3Client ?? S3Client(environment: environment)
            s3 = client
        } else {
            s3 = nil
        }
    }

    public static func parse(_ url: String) throws -> Location {
        let text = url.trimmingCharacters(in: .whitespaces)
        if text.lowercased().hasPrefix("s3://") {
            let rest = text.dropFirst(5)
            let bucket = rest.prefix { $0 != "/" }
            guard !bucket.isEmpty else {
                throw ETLError("archive URL '\(URLRedaction.redact(url))' has no bucket name", hint: "write it as s3://bucket/prefix")
            }
            let prefix = rest.dropFirst(bucket.count).split(separator: "/").joined(separator: "/")
            return .s3(bucket: String(bucket), prefix: prefix)
        }
        if text.lowercased().hasPrefix("file://") {
            let path = String(text.dropFirst(7))
            guard path.hasPrefix("/") else {
                throw ETLError("archive URL '\(url)' is not an absolute file URL", hint: "write it as file:///absolute/dir or as a plain path")
            }
            return .directory(path.removingPercentEncoding ?? path)
        }
        if text.contains("://") {
            throw ETLError("archive URL '\(URLRedaction.redact(url))' has an unsupported scheme",
                           hint: "use s3://bucket/prefix, file:///dir or a directory path")
        }
        guard !text.isEmpty else { throw ETLError("archive location is empty", hint: "use s3://bucket/prefix or a directory path") }
        return .directory(text)
    }

    /// Stores `body` under `key` (relative to the store's prefix) and returns
    /// where it went: `s3://bucket/prefix/key` or the file's path.
    @discardableResult
    public func put(key: String, body: Data, contentType: String? = nil) throws -> String {
        let relative = try ArchiveStore.checkedKey(key)
        switch location {
        case .s3(let bucket, let prefix):
            let fullKey = ArchiveStore.join(prefix, relative)
            try s3Client().putObject(bucket: bucket, key: fullKey, body: body, contentType: contentType ?? ArchiveStore.guessContentType(fullKey))
            return location(of: relative)
        case .directory:
            let path = location(of: relative)
            let fileURL = URL(fileURLWithPath: path)
            do {
                try FileManager.default.createDirectory(at: fileURL.deletingLastPathComponent(), withIntermediateDirectories: true)
                try body.write(to: fileURL, options: .atomic)
            } catch {
                throw ETLError("cannot write archive file \(path): \(FileProblem.describe(error, path: path))",
                               hint: "check that the archive directory exists or can be created, and is writable")
            }
            return path
        }
    }

    /// Stores the file at `path` under `key`, for payloads too large to hold in memory.
    /// A directory store moves the file into place (copying, then renaming, across
    /// file systems), so the file is gone from `path` afterwards and lives at the
    /// returned path; S3 uploads it from a read-only mapping and leaves it.
    @discardableResult
    public func put(key: String, file path: String, contentType: String? = nil) throws -> String {
        let relative = try ArchiveStore.checkedKey(key)
        switch location {
        case .s3:
            let payload: PayloadBytes
            do { payload = try PayloadBytes(mapping: path) } catch { throw ETLError("cannot read \(path) to archive it: \(error)") }
            return try payload.withData { try put(key: relative, body: $0, contentType: contentType) }
        case .directory:
            let target = location(of: relative)
            do {
                try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                if rename(path, target) != 0 {
                    guard errno == EXDEV else { throw NSError(domain: NSPOSIXErrorDomain, code: Int(errno)) }
                    // Another file system: copied beside the target first, so no one sees half a payload.
                    let partial = target + ".partial-\(getpid())"
                    try? FileManager.default.removeItem(atPath: partial)
                    try FileManager.default.copyItem(atPath: path, toPath: partial)
                    guard rename(partial, target) == 0 else {
                        let code = errno
                        try? FileManager.default.removeItem(atPath: partial)
                        throw NSError(domain: NSPOSIXErrorDomain, code: Int(code))
                    }
                    try? FileManager.default.removeItem(atPath: path)
                }
            } catch {
                throw ETLError("cannot write archive file \(target): \(FileProblem.describe(error, path: target))",
                               hint: "check that the archive directory exists or can be created, and is writable")
            }
            return target
        }
    }

    /// The local file a key is stored in (directory stores); nil for S3.
    public func localPath(of key: String) -> String? {
        if case .directory = location { return location(of: key) }
        return nil
    }

    /// Renames a stored payload to `<key>.failed` (`ArchiveKeyPattern.failedSuffix`): it stays
    /// for inspection, but nobody replaying the archive takes it for a good one. Returns the new location.
    /// S3 has no rename: `body` is stored again under the new key and the old object deleted.
    @discardableResult
    public func markFailed(key: String, body: Data) throws -> String {
        let relative = try ArchiveStore.checkedKey(key)
        let marked = relative + ArchiveKeyPattern.failedSuffix
        switch location {
        case .s3(let bucket, let prefix):
            _ = try put(key: marked, body: body)
            try s3Client().deleteObject(bucket: bucket, key: ArchiveStore.join(prefix, relative))
        case .directory:
            let from = location(of: relative), to = location(of: marked)
            do { try FileManager.default.moveItem(atPath: from, toPath: to) } catch {
                throw ETLError("cannot mark archive file \(from) as failed: \(FileProblem.describe(error, path: to))")
            }
        }
        return location(of: marked)
    }

    /// Where `put(key:)` would store that key, without storing anything (for dry runs and logs).
    /// A key that `put` would refuse is shown as given.
    /// Whether something is already stored under `key`, so a second run in the same
    /// second never overwrites the first run's payload.
    public func exists(key: String) throws -> Bool {
        let relative = try ArchiveStore.checkedKey(key)
        switch location {
        case .s3(let bucket, let prefix):
            let full = ArchiveStore.join(prefix, relative)
            return try s3Client().listObjects(bucket: bucket, prefix: full).contains(full)
        case .directory(let dir):
            return FileManager.default.fileExists(atPath: ArchiveStore.join(dir, relative))
        }
    }

    public func location(of key: String) -> String {
        let relative = (try? ArchiveStore.checkedKey(key)) ?? key
        switch location {
        case .s3(let bucket, let prefix): return "s3://\(bucket)/\(ArchiveStore.join(prefix, relative))"
        case .directory(let dir): return ArchiveStore.join(dir, relative)
        }
    }

    @discardableResult
    public func put(key: String, body: [UInt8], contentType: String? = nil) throws -> String {
        try put(key: key, body: Data(body), contentType: contentType)
    }

    /// What retention did: the files it deleted, or the prefix of the S3 lifecycle rule it set.
    public struct RetentionOutcome: Equatable, Sendable {
        public var deleted: [String] = []
        /// Folders under a directory archive that could not be read, with why.
        public var unreadable: [String] = []
        public var lifecyclePrefix: String?
    }

    /// Keeps the payloads `keyTemplate` produces for `days` days; nothing else is touched.
    /// Directory: deletes, now, the files older than that whose key matches the template.
    /// S3: sets a bucket lifecycle expiration rule (S3 deletes later) for the template's fixed
    /// prefix; a template without one is refused, as the rule would expire every object of the archive.
    @discardableResult
    public func applyRetention(days: Int, keyTemplate: String, now: Date = Date()) throws -> RetentionOutcome {
        guard days >= 1 else {
            throw ETLError("archive retention must be at least 1 day, got \(days)", hint: "set a positive number of days")
        }
        let template = String(keyTemplate.drop { $0 == "/" })
        guard !template.split(separator: "/", omittingEmptySubsequences: false).contains("..") else {
            throw ETLError("archive key '\(keyTemplate)' must not contain '..'", hint: "keys are relative to the archive location")
        }
        let fixed = ArchiveKeyTemplate.fixedPrefix(of: template)
        switch location {
        case .s3(let bucket, let prefix):
            guard !fixed.isEmpty else {
                throw ETLError("retention not applied: the archive key '\(keyTemplate)' has no fixed prefix, so an S3 lifecycle rule "
                               + "would expire every object under s3://\(ArchiveStore.join(bucket, prefix))/, not only this pipeline's",
                               hint: "start the key with a fixed folder, e.g. inventory-sync/%Y/%m/%d/inventory_%H%M%S.json")
            }
            let rulePrefix = ArchiveStore.join(prefix, fixed)
            try s3Client().putLifecycleExpiration(bucket: bucket, prefix: rulePrefix, days: days)
            return RetentionOutcome(lifecyclePrefix: rulePrefix)
        case .directory(let dir):
            let swept = try ArchiveRetention.deleteFiles(in: dir, under: fixed, matching: { ArchiveKeyPattern(template: template) },
                                                         olderThan: now.addingTimeInterval(-Double(days) * 86_400))
            return RetentionOutcome(deleted: swept.deleted, unreadable: swept.unreadable)
        }
    }

    /// See `ArchiveKeyTemplate.render`.
    public static func renderKey(template: String, date: Date) -> String { ArchiveKeyTemplate.render(template, date: date) }

    // MARK: - Helpers

    private func s3Client() throws -> S3Client {
        guard let s3 else { throw ETLError("internal: S3 archive without an S3 client") }
        return s3
    }

    /// Keys stay inside the archive: no `..` segments, no leading `/`.
    static func checkedKey(_ key: String) throws -> String {
        let trimmed = String(key.drop { $0 == "/" })
        guard !trimmed.isEmpty, !trimmed.hasSuffix("/") else {
            throw ETLError("archive key '\(key)' is empty or names a directory", hint: "give the key a file name, e.g. payload_%Y%m%d.json")
        }
        guard !trimmed.split(separator: "/").contains("..") else {
            throw ETLError("archive key '\(key)' must not contain '..'", hint: "keys are relative to the archive location")
        }
        return trimmed
    }

    static func join(_ base: String, _ rest: String) -> String {
        if base.isEmpty { return rest }
        if rest.isEmpty { return base }
        return (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/" + rest
    }

    static func guessContentType(_ key: String) -> String {
        let lower = key.lowercased()
        if lower.hasSuffix(".json") { return "application/json" }
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { return "application/x-ndjson" }
        if lower.hasSuffix(".csv") { return "text/csv" }
        if lower.hasSuffix(".xml") { return "application/xml" }
        if lower.hasSuffix(".gz") { return "application/gzip" }
        return "application/octet-stream"
    }
}
