import Foundation
import ETLCore
import ETLHTTP

/// Where a source keeps the raw payload, exactly as received, before processing.
struct ArchiveOptions {
    static let url = OptionKey<String>("url", .url, required: true, doc: "s3://bucket/prefix (AWS_* variables, AWS_ENDPOINT_URL honoured) or file:///dir or a directory.", example: "s3://company-erp-backups")
    static let key = OptionKey<String>("key", default: "{pipeline}/%Y-%m-%d/{pipeline}_%Y%m%d_%H%M%S.json",
                                       doc: "Object key template: %Y %m %d %H %M %S (UTC), {pipeline}, {run_id}.", example: "inventory-sync/%Y-%m-%d/inventory_%Y%m%d_%H%M%S.json")
    static let retention = OptionKey<Double?>("retention", .duration, doc: "Delete archived payloads older than this (S3 lifecycle rule, or files removed).", example: "30d")
    static let options: [any OptionDeclaration] = [url, key, retention]

    let url: String
    let keyTemplate: String
    let retentionDays: Int?

    init(_ options: Options, context: BuildContext) throws {
        var url = options[Self.url]
        if !url.contains("://") && !url.hasPrefix("/") { url = context.resolvePath(url) }
        if url.hasPrefix("file://./") || url.hasPrefix("file://../") {   // file://./archive: relative to the pipeline
            url = "file://" + context.resolvePath(String(url.dropFirst("file://".count)))
        }
        self.url = url
        keyTemplate = options[Self.key]
        retentionDays = options[Self.retention].map { max(1, Int(($0 / 86400).rounded(.up))) }
    }

    /// The object key; pages after the first get `_p0002`, `_p0003` … before the extension.
    func key(pipeline: String, runID: String, at date: Date, page: Int = 1) -> String {
        let t = keyTemplate.replacingOccurrences(of: "{pipeline}", with: pipeline)
            .replacingOccurrences(of: "{run_id}", with: runID)
        let key = ArchiveStore.renderKey(template: t, date: date)
        return page > 1 ? Self.withPageSuffix(key, page) : key
    }

    static func withPageSuffix(_ key: String, _ page: Int) -> String {
        let digits = String(page)
        return withSuffix(key, "_p" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits)
    }

    /// `a/b/name.json` + `-2` → `a/b/name-2.json`.
    static func withSuffix(_ key: String, _ suffix: String) -> String {
        let nameStart = key.lastIndex(of: "/").map { key.index(after: $0) } ?? key.startIndex
        if let dot = key[nameStart...].lastIndex(of: "."), dot > nameStart {
            return String(key[..<dot]) + suffix + String(key[dot...])
        }
        return key + suffix
    }

    /// Opened once per run: an S3 store holds its client (and connection) for every page.
    func openStore() throws -> ArchiveStore {
        do { return try ArchiveStore(url: url) } catch {
            throw ETLError("cannot open the archive \(url): \(error)",
                           hint: "check ARCHIVE_URL and, for s3://, the AWS_* variables; nothing was written to the target")
        }
    }

    /// Stores the payload spooled at `file` and returns where it went, under which key, and
    /// the local file now holding it (a directory store moves the spool file there).
    /// Under --dry-run nothing is stored.
    func store(file: String, in store: ArchiveStore, pipeline: String, runID: String, at date: Date, dryRun: Bool,
               page: Int = 1) throws -> (location: String, key: String?, localPath: String?) {
        var key = self.key(pipeline: pipeline, runID: runID, at: date, page: page)
        // Keys have one-second resolution; a run started in the same second as the last gets `-2`, `-3` …
        if !dryRun {
            let base = key
            var n = 1
            // A store that cannot tell (no s3:ListBucket permission) is written as it is.
            while (try? store.exists(key: key)) == true && n < 100 {
                n += 1
                key = Self.withSuffix(base, "-\(n)")
            }
        }
        if dryRun { return (store.location(of: key) + " (dry run: not stored)", nil, nil) }
        do {
            return (try store.put(key: key, file: file), key, store.localPath(of: key))
        } catch {
            throw ETLError("could not archive the payload to \(url): \(error)",
                           hint: "check the archive URL and credentials; nothing was written to the target")
        }
    }

    /// Retention problems are logged, never fatal: the data run itself succeeded.
    /// Only payloads this key template produces are aged out, and each deletion is logged.
    func applyRetention(in store: ArchiveStore, _ log: Logger, pipeline: String) {
        guard let days = retentionDays else { return }
        do {
            let outcome = try store.applyRetention(days: days, keyTemplate: keyTemplate.replacingOccurrences(of: "{pipeline}", with: pipeline))
            for path in outcome.deleted { log.info("archive retention: deleted \(path) (older than \(days) days)") }
            if !outcome.deleted.isEmpty { log.info("archive retention: deleted \(outcome.deleted.count) payloads older than \(days) days") }
            for folder in outcome.unreadable {
                log.warning("archive retention could not read \(folder); its payloads older than \(days) days are kept "
                            + "(give the user running etl read, write and search (x) permission on the archive folders)")
            }
            if let prefix = outcome.lifecyclePrefix { log.info("archive retention: S3 lifecycle rule expires \(prefix)* after \(days) days") }
        } catch {
            log.warning("archive retention of \(days) days could not be applied: \(error)")
        }
    }
}
