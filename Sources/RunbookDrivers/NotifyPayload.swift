import Crypto
public import Foundation
public import RunbookCore

/// The bodies sent to webhook channels, built as values and encoded as JSON: a message, title
/// or name, however hostile, is only ever a JSON string inside them, never part of their shape.
/// Pure: tests read what a receiver would get without sending anything.
///
/// Nor does any text become the channel's markup: Slack's `mrkdwn` is escaped as Slack's
/// "Formatting text for app surfaces" asks (`&`, `<`, `>` as `&amp;`, `&lt;`, `&gt;`), so a
/// check's output holding `<!channel>` or `<http://evil|click>` neither pings anyone nor shows
/// a disguised link; Teams gets the title and message as `TextRun`s of a `RichTextBlock`,
/// which Adaptive Cards never read as Markdown (a `TextBlock` would make `[click](http://evil)`
/// a link).
public enum NotifyPayload {
    /// Slack allows 3000 characters in a section's text and 150 in a header.
    static let slackSectionLimit = 3000

    /// A Slack incoming-webhook body: `text` (the fallback shown in notifications) plus blocks:
    /// a header with the title, the message in `mrkdwn` sections (split at 3000 characters), and
    /// a context line naming runbook, run and environment.
    public static func slack(_ n: RenderedCommand.NotifyCommand, message: String) -> Value {
        var blocks: [Value] = [
            .object([("type", "header"), ("text", .object([("type", "plain_text"), ("text", .string(n.title)), ("emoji", true)]))]),
        ]
        let escaped = slackEscaped(message)
        for chunk in chunks(escaped, limit: slackSectionLimit) {
            blocks.append(.object([("type", "section"), ("text", .object([("type", "mrkdwn"), ("text", .string(chunk))]))]))
        }
        blocks.append(.object([("type", "context"), ("elements", .list([.object([("type", "mrkdwn"), ("text", .string(slackEscaped(contextLine(n))))])]))]))
        return .object([("text", .string(escaped)), ("blocks", .list(blocks))])
    }

    /// `text` as Slack's `mrkdwn` shows it literally: `&`, `<` and `>` (the only characters
    /// Slack reads as control sequences: mentions, links, dates) become entities.
    public static func slackEscaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A Teams Workflows-webhook body: a `message` with one Adaptive Card (1.4) attachment: the
    /// title, the message, and a fact set (runbook, run, environment, status).
    public static func teams(_ n: RenderedCommand.NotifyCommand, message: String) -> Value {
        var facts: [Value] = [fact("Runbook", n.origin.runbook), fact("Run", n.origin.runID), fact("Environment", n.origin.environment)]
        if !n.origin.status.isEmpty { facts.append(fact("Status", n.origin.status.uppercased())) }
        let card: Value = .object([
            ("$schema", "http://adaptivecards.io/schemas/adaptive-card.json"), ("type", "AdaptiveCard"), ("version", "1.4"),
            ("body", .list([
                .object([("type", "RichTextBlock"), ("inlines", .list([
                    .object([("type", "TextRun"), ("text", .string(n.title)), ("weight", "Bolder"), ("size", "Medium")]),
                ]))]),
                .object([("type", "RichTextBlock"), ("inlines", .list([.object([("type", "TextRun"), ("text", .string(message))])]))]),
                .object([("type", "FactSet"), ("facts", .list(facts))]),
            ])),
        ])
        return .object([
            ("type", "message"),
            ("attachments", .list([.object([("contentType", "application/vnd.microsoft.card.adaptive"), ("contentUrl", nil), ("content", card)])])),
        ])
    }

    /// A generic webhook's body: the event, the channel, the message and where it comes from.
    /// `sentAt` is part of what is signed, so a receiver can refuse a replayed delivery.
    public static func webhook(_ n: RenderedCommand.NotifyCommand, message: String, channel: String, sentAt: Date) -> Value {
        .object([
            ("event", "runbook.notify"), ("channel", .string(channel)), ("template", .string(n.template)), ("title", .string(n.title)),
            ("message", .string(message)), ("runbook", .string(n.origin.runbook)), ("run_id", .string(n.origin.runID)),
            ("environment", .string(n.origin.environment)), ("step", .string(n.origin.step)), ("status", .string(n.origin.status)),
            ("sent_at", .string(AuditLog.timestamp(sentAt))),
        ])
    }

    /// `sha256=<hex>`: the HMAC-SHA256 of exactly the bytes sent, keyed with the channel's secret,
    /// as `X-Runbook-Signature` carries it.
    public static func signature(body: String, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + Hex.encode(mac)
    }

    /// The header a webhook's signature travels in.
    public static let signatureHeader = "X-Runbook-Signature"

    static func fact(_ title: String, _ value: String) -> Value { .object([("title", .string(title)), ("value", .string(value))]) }

    static func contextLine(_ n: RenderedCommand.NotifyCommand) -> String {
        var parts = ["runbook \(n.origin.runbook)", "run \(n.origin.runID)", "env \(n.origin.environment)"]
        if !n.origin.status.isEmpty { parts.append("status \(n.origin.status.uppercased())") }
        return parts.joined(separator: " · ")
    }

    /// `text` cut into pieces of at most `limit` characters, at a line break when there is one,
    /// else never inside an entity (`&amp;`) that ``slackEscaped(_:)`` wrote.
    static func chunks(_ text: String, limit: Int) -> [String] {
        var out: [String] = []
        var rest = Substring(text)
        while rest.count > limit {
            let window = rest.prefix(limit)
            var cut = window.lastIndex(of: "\n").map { rest.index(after: $0) } ?? window.endIndex
            if cut == window.endIndex, let amp = window.suffix(4).lastIndex(of: "&"), !window[amp...].contains(";"), amp > rest.startIndex {
                cut = amp
            }
            out.append(String(rest[..<cut]))
            rest = rest[cut...]
        }
        if !rest.isEmpty || out.isEmpty { out.append(String(rest)) }
        return out
    }
}
