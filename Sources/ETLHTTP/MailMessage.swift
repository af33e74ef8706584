import Foundation

/// One plain-text e-mail, rendered as an RFC 5322 message for SMTP.
///
/// Headers never carry a line break from their values (no header injection);
/// a non-ASCII subject is RFC 2047-encoded; a body that is not short-lined
/// ASCII goes out base64-encoded, so any server accepts it unchanged.
public struct MailMessage: Sendable {
    public var from: String
    public var to: [String]
    public var subject: String
    public var body: String
    public var date: Date
    /// `<…@domain>`; generated when nil.
    public var messageID: String?

    public init(from: String, to: [String], subject: String, body: String, date: Date = Date(), messageID: String? = nil) {
        self.from = from; self.to = to; self.subject = subject; self.body = body
        self.date = date; self.messageID = messageID
    }

    /// The bare address of `Name <user@host>` or `user@host`, for the SMTP envelope.
    public static func address(_ mailbox: String) -> String {
        let t = mailbox.trimmingCharacters(in: .whitespaces)
        if let open = t.lastIndex(of: "<"), let close = t.lastIndex(of: ">"), open < close {
            return String(t[t.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
        }
        return t
    }

    /// Why a mailbox cannot be used, or nil when it looks like an address.
    public static func problem(with mailbox: String) -> String? {
        if mailbox.contains("\r") || mailbox.contains("\n") { return "'\(mailbox)' contains a line break" }
        let a = address(mailbox)
        guard let at = a.firstIndex(of: "@"), at != a.startIndex, a.index(after: at) != a.endIndex else {
            return "'\(mailbox)' is not an e-mail address (expected user@host or Name <user@host>)"
        }
        if a.contains(where: { $0 == " " || $0 == "<" || $0 == ">" || $0 == "," }) { return "'\(mailbox)' is not one e-mail address" }
        return nil
    }

    /// The message as sent after DATA: CRLF line ends, headers then body.
    public func rendered() -> Data {
        let domain = MailMessage.address(from).split(separator: "@").last.map(String.init) ?? "localhost"
        let id = messageID ?? "<\(UUID().uuidString.lowercased())@\(domain)>"
        var headers: [(String, String)] = [
            ("Date", MailMessage.rfc5322Date(date)),
            ("From", MailMessage.oneLine(from)),
            ("To", to.map(MailMessage.oneLine).joined(separator: ", ")),
            ("Subject", MailMessage.encodedHeaderText(MailMessage.oneLine(subject))),
            ("Message-ID", id),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=utf-8"),
        ]
        let lines = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
        let plain = body.utf8.allSatisfy { $0 < 128 } && lines.allSatisfy { $0.utf8.count <= 998 }
        var text: String
        if plain {
            headers.append(("Content-Transfer-Encoding", "7bit"))
            text = lines.joined(separator: "\r\n")
        } else {
            headers.append(("Content-Transfer-Encoding", "base64"))
            text = Data(body.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        }
        if !text.hasSuffix("\r\n") { text += "\r\n" }
        let head = headers.map { "\($0.0): \($0.1)" }.joined(separator: "\r\n")
        return Data((head + "\r\n\r\n" + text).utf8)
    }

    /// Header values are single lines: any line break becomes a space.
    static func oneLine(_ s: String) -> String {
        s.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
    }

    /// ASCII as is; anything else as RFC 2047 `=?UTF-8?B?…?=` words, split on character boundaries.
    static func encodedHeaderText(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 >= 32 && $0 < 127 }) { return s }
        var words: [String] = []
        var chunk = ""
        for ch in s {
            if chunk.utf8.count + String(ch).utf8.count > 45 {
                words.append(chunk); chunk = ""
            }
            chunk.append(ch)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?" + Data($0.utf8).base64EncodedString() + "?=" }.joined(separator: "\r\n ")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return f.string(from: date)
    }
}
