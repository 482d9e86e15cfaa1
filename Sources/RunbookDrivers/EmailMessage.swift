public import Foundation
public import RunbookCore

/// An RFC 5322 message as an SMTP client sends it after `DATA`: a plain-text UTF-8 body in
/// base64 (so no line of it can start with a dot or be over-long, and accents survive any
/// server), a subject encoded as an RFC 2047 word when it is not plain ASCII. No value can add
/// a header or a recipient: control characters are removed from header values and addresses
/// are checked before anything is sent.
public struct EmailMessage: Sendable {
    /// The envelope and `From:` sender.
    public var from: String
    /// The envelope recipients and `To:`.
    public var to: [String]
    /// The subject, as written (encoded when built).
    public var subject: String
    /// The text body.
    public var body: String
    /// Extra headers (`X-Runbook-Run`...), in order.
    public var headers: [(String, String)]
    /// `Date:`.
    public var date: Date
    /// `Message-ID:` without the angle brackets.
    public var messageID: String

    /// A message; see ``rendered()`` for the bytes.
    public init(from: String, to: [String], subject: String, body: String, headers: [(String, String)] = [], date: Date = Date(),
                messageID: String)
    {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.headers = headers
        self.date = date
        self.messageID = messageID
    }

    /// The message for notification `n` on an email channel.
    public static func notification(_ n: RenderedCommand.NotifyCommand, message: String, email: NotifyChannel.Email, date: Date = Date()) -> EmailMessage {
        let suffix = (0..<8).map { _ in "0123456789abcdef".randomElement()! }
        let local = [n.origin.runID, n.origin.step].filter { !$0.isEmpty }.joined(separator: ".")
        let domain = email.from.split(separator: "@").last.map(String.init) ?? "runbook.invalid"
        return EmailMessage(from: email.from, to: email.to, subject: n.title, body: message,
                            headers: [("X-Runbook-Runbook", n.origin.runbook), ("X-Runbook-Run", n.origin.runID),
                                      ("X-Runbook-Environment", n.origin.environment), ("X-Runbook-Step", n.origin.step)],
                            date: date, messageID: "\(local.isEmpty ? "runbook" : local).\(String(suffix))@\(domain)")
    }

    /// Whether `address` is a bare `local@domain` an SMTP envelope can carry: printable ASCII,
    /// one `@`, no spaces, brackets, commas or quotes.
    public static func isValidAddress(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, address.count <= 254 else { return false }
        return address.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && !"<>()[],;:\"\\".unicodeScalars.contains($0) }
    }

    /// The header and body lines, CRLF-separated, ending with CRLF (without the final `.`).
    public func rendered() -> String {
        var lines: [String] = [
            "From: \(Self.clean(from))",
            "To: \(to.map(Self.clean).joined(separator: ", "))",
            "Subject: \(Self.encodedWord(Self.clean(subject)))",
            "Date: \(Self.rfc5322(date))",
            "Message-ID: <\(Self.clean(messageID))>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
        ]
        for (name, value) in headers where !value.isEmpty { lines.append("\(Self.clean(name)): \(Self.encodedWord(Self.clean(value)))") }
        lines.append("")
        let normalized = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        let encoded = Data(normalized.utf8).base64EncodedString()
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[index..<end]))
            index = end
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A header value with every control character (CR and LF above all) replaced by a space.
    static func clean(_ value: String) -> String {
        String(String.UnicodeScalarView(value.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }

    /// `value` as is when it is printable ASCII, else as RFC 2047 `=?UTF-8?B?...?=` words
    /// (each under 76 characters, split between characters).
    static func encodedWord(_ value: String) -> String {
        if value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) { return value }
        var words: [String] = []
        var current = ""
        for character in value {
            if (current + String(character)).utf8.count > 45 {
                words.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { words.append(current) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    static func rfc5322(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
