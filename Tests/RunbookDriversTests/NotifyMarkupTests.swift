import Foundation
import RunbookCore
import Testing
@testable import RunbookDrivers

/// A check's output is data, never the channel's markup: a whole run whose check prints a
/// Slack mass mention, a disguised Slack link and a Markdown link posts them to real local
/// receivers as Slack and Teams would show them literally (no ping, no link).
@Suite("Notify: a check's output never pings or disguises a link")
struct NotifyMarkupTests {
    static let hostile = "<!channel> see <http://evil.example|click here> & [click](http://evil.example) <at>bob</at>"

    @Test func hostileOutputReachesSlackAndTeamsAsPlainText() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("notify-markup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        for d in ["runbooks", "templates", "environments"] {
            try FileManager.default.createDirectory(at: home.appendingPathComponent(d), withIntermediateDirectories: true)
        }
        try """
            runbook: m
            title: Markup drill
            steps:
              - check: out
                shell: [printf, "%s", "\(Self.hostile)"]
              - notify: tell
                template: msg
                channel: [slack, teams]
            """.write(to: home.appendingPathComponent("runbooks/m.yaml"), atomically: true, encoding: .utf8)
        try "Saw: ${{ steps.out.result.stdout }}\n".write(to: home.appendingPathComponent("templates/msg.md"), atomically: true, encoding: .utf8)
        try """
            environment: t
            notify:
              channels:
                slack: {type: slack, url: "${HOOK}/slack"}
                teams: {type: teams, url: "${HOOK}/teams"}
            """.write(to: home.appendingPathComponent("environments/t.yaml"), atomically: true, encoding: .utf8)
        let (loaded, diagnostics) = RunbookLoader(home: home).loadRunbook(at: home.appendingPathComponent("runbooks/m.yaml"))
        let runbook = try #require(loaded, "\(diagnostics)")
        let receiver = TestNotifyReceiver()
        let report = try await receiver.with { base in
            let environment = try Environment.load(name: "t", home: home, processEnvironment: ["HOOK": base])
            let http = HTTPDriver()
            let drivers = DriverRegistry([.shell: ShellDriver(), .notify: NotifyDriver(http: http, policy: NotifyRetryPolicy(backoff: .milliseconds(10)))])
            let executor = Executor(drivers: drivers, audit: try AuditLog(path: home.appendingPathComponent("audit.jsonl").path),
                                    renderer: CommandRenderer(environment: environment, home: home), redactor: Redactor(secrets: environment.secrets))
            let report = await executor.run(.init(runbook: runbook, environment: environment, inputs: [:],
                                                  mode: Planner.Mode(dryRun: false, yes: true), operatorName: "ana", host: "h"))
            await http.shutdown()
            return report
        }
        #expect(report.steps.map(\.status.rawValue) == ["green", "succeeded"], "\(report.steps.map(\.message))")

        let slack = try #require(await receiver.received("slack").first)
        // Slack reads `<...>` in mrkdwn (the fallback text, sections, context) as a mention or a
        // link: none may reach it unescaped. (The header is plain_text, shown as typed.)
        let json = try #require(slack.json as? [String: Any])
        var mrkdwn = [json["text"] as? String ?? ""]
        for block in json["blocks"] as? [[String: Any]] ?? [] {
            for text in [block["text"] as? [String: Any]] + (block["elements"] as? [[String: Any]] ?? []).map(Optional.some) {
                if let text, text["type"] as? String == "mrkdwn" { mrkdwn.append(text["text"] as? String ?? "") }
            }
        }
        #expect(mrkdwn.count == 3 && mrkdwn.allSatisfy { !$0.contains("<") && !$0.contains(">") }, "\(mrkdwn)")
        let shown = "Saw: &lt;!channel&gt; see &lt;http://evil.example|click here&gt; &amp; [click](http://evil.example) &lt;at&gt;bob&lt;/at&gt;"
        #expect((json["text"] as? String)?.hasPrefix(shown) == true, "\(json["text"] ?? "")")
        let section = ((json["blocks"] as? [[String: Any]])?.first { $0["type"] as? String == "section" }?["text"] as? [String: Any])?["text"] as? String
        #expect(section?.hasPrefix(shown) == true, "\(section ?? "")")

        let teams = try #require(await receiver.received("teams").first?.json as? [String: Any])
        let card = try #require(((teams["attachments"] as? [[String: Any]])?.first)?["content"] as? [String: Any])
        let body = try #require(card["body"] as? [[String: Any]])
        // No TextBlock (Markdown) carries the message: it is a TextRun, shown as typed.
        #expect(!body.contains { $0["type"] as? String == "TextBlock" })
        let runs = body.compactMap { $0["inlines"] as? [[String: Any]] }.flatMap { $0 }
        #expect(runs.allSatisfy { $0["type"] as? String == "TextRun" })
        #expect(runs.contains { ($0["text"] as? String)?.hasPrefix("Saw: " + Self.hostile) == true }, "\(runs)")
    }

    @Test func slackEscapingAndChunksKeepEntitiesWhole() {
        #expect(NotifyPayload.slackEscaped("a <b> & c") == "a &lt;b&gt; &amp; c")
        let text = NotifyPayload.slackEscaped(String(repeating: "x", count: 2998) + "<<")
        let pieces = NotifyPayload.chunks(text, limit: NotifyPayload.slackSectionLimit)
        #expect(pieces.joined() == text)
        #expect(pieces.allSatisfy { $0.count <= NotifyPayload.slackSectionLimit })
        #expect(pieces.dropFirst().allSatisfy { $0.hasPrefix("&") } && pieces.first?.hasSuffix("x") == true, "\(pieces.map { $0.suffix(8) })")
    }
}
