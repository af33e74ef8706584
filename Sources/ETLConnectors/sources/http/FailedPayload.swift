import Foundation
import ETLCore
import ETLHTTP

/// An archived payload that turned out unreadable (a body cut off without
/// Content-Length, invalid JSON) must not look like a good one: the archived
/// copy is renamed `….failed` and the ledger's archive path points at that.
enum FailedPayload {
    /// Marks the archived copy and returns the error to throw, naming where the payload is.
    static func mark(_ key: String, _ payload: PayloadBytes, in store: ArchiveStore, error: Error,
                     context: RunContext, isFirstPage: Bool) -> Error {
        let marked: String
        do {
            // S3 has no rename: the body is uploaded again, straight from the mapped file.
            marked = try payload.withData { try store.markFailed(key: key, body: $0) }
        } catch let markError {
            context.logger.warning("the unreadable payload stays archived as \(store.location(of: key)): \(markError)")
            return error
        }
        if isFirstPage { context.publish("archive_path", .string(marked)) }
        guard let e = error as? ETLError else { return ETLError("\(error) (the payload is archived as \(marked))") }
        var out = e
        out.message += " (the payload is archived as \(marked))"
        return out
    }
}
