/// Error messages and log lines are capped: a 100k-digit number in a payload
/// must not become a 100 KB ledger row, log line or chat post.
public enum MessageCap {
    /// Bytes (UTF-8) kept of one message.
    public static let limit = 2048

    /// `text` if it fits, else its start (cut on a character boundary) and a marker saying how much was cut.
    /// Redact before capping: a secret cut in half would no longer be recognised.
    public static func cap(_ text: String, limit: Int = MessageCap.limit) -> String {
        let total = text.utf8.count
        guard total > limit else { return text }
        var kept = 0
        var end = text.startIndex
        for i in text.indices {
            let size = text[i].utf8.count
            if kept + size > limit { break }
            kept += size
            end = text.index(after: i)
        }
        return String(text[..<end]) + " … [message cut: \(total - kept) more bytes]"
    }
}
