import Foundation
import Testing
@testable import RunbookCore

/// Channels as the environment declares them and notify steps name them: shape, secrets,
/// resolution, and what a missing one says.
@Suite("Notify channels: environment and runbook")
struct NotifyChannelTests {
    static let runbook = """
        runbook: n
        title: N
        steps:
          - notify: tell
            template: msg
            channel: [log, incident]

        """

    static func home(_ environment: String) -> TestHome {
        let home = TestHome()
        home.write("environments/t.yaml", environment)
        home.write("templates/msg.md", "🚨 ${{ run.title }}\n")
        return home
    }

    static func diagnostics(_ environment: String) -> [String] {
        let home = home(environment)
        do {
            _ = try Environment.load(name: "t", home: home.url, processEnvironment: [:])
            return []
        } catch {
            return error.diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" }
        }
    }

    @Test func channelsAreDeclaredByType() throws {
        let home = Self.home("""
            environment: t
            notify:
              log: ops.log
              channels:
                incident: {type: slack, url: "${SLACK_URL}"}
                pager: {type: webhook, url: "https://hooks.example/p", secret: "${HOOK_SECRET}", timeout: 5s}
                reports: {type: email, host: smtp.example, from: rb@example.com, to: [a@example.com, b@example.com], password: "${SMTP_PASSWORD}"}
                status: {type: stdout}
            """)
        let env = try Environment.load(name: "t", home: home.url,
                                       processEnvironment: ["SLACK_URL": "https://hooks.slack.example/T000/B000/XXXX", "HOOK_SECRET": "hook-s3cret", "SMTP_PASSWORD": "smtp-pa55"])
        let channels = env.notifyChannels
        #expect(channels["incident"]?.kind == .slack)
        #expect(channels["pager"]?.timeout == .seconds(5))
        #expect(channels["reports"]?.email?.to == ["a@example.com", "b@example.com"])
        #expect(channels["reports"]?.email?.port == 587)
        // URLs, webhook secrets and SMTP passwords are redacted, though `secrets:` names none.
        for secret in ["https://hooks.slack.example/T000/B000/XXXX", "https://hooks.example/p", "hook-s3cret", "smtp-pa55"] {
            #expect(env.secrets.contains(secret), "\(secret) is not redacted")
        }
        #expect(env.notifyChannel(named: "log", home: home.url)?.path == home.url.appendingPathComponent("ops.log").path)
        #expect(env.notifyChannel(named: "stdout", home: home.url)?.kind == .stdout)
        #expect(env.notifyChannel(named: "nowhere", home: home.url) == nil)
    }

    @Test func aBrokenChannelIsAnErrorWithItsLocation() {
        #expect(Self.diagnostics("notify:\n  channels:\n    incident: {type: slak, url: x}\n")
            == ["3:22: notify.channels.incident.type must be one of slack, teams, webhook, email, file, stdout, found 'slak' (did you mean 'slack'?)"])
        #expect(Self.diagnostics("notify:\n  channels:\n    incident: {type: slack}\n") == ["3:15: a slack channel needs 'url' (notify.channels.incident.url)"])
        #expect(Self.diagnostics("notify:\n  channels:\n    incident: {type: slack, url: \"https://h.example/x\", secret: s}\n")
            == ["3:57: 'secret' does not apply to a slack channel (notify.channels.incident may have: type, timeout, url)"])
        #expect(Self.diagnostics("notify:\n  channels:\n    log: {type: stdout}\n")
            == ["3:5: 'log' is a built-in channel (log and stdout); give this channel another name"])
        #expect(Self.diagnostics("notify:\n  channels:\n    hook: {type: webhook, url: \"ftp://h/x\", secret: s}\n")
            == ["3:32: notify.channels.hook.url must be an http(s) URL (its value is not shown: it is a secret)"])
        #expect(Self.diagnostics("notify:\n  chanels: {}\n") == ["2:3: unknown key 'chanels' in notify (did you mean 'channels'?)"])
    }

    @Test func aStepNamesChannelsByName() {
        let home = TestHome()
        home.write("templates/msg.md", "hi\n")
        let (runbook, diagnostics) = home.runbook("n", Self.runbook)
        #expect(diagnostics.isEmpty)
        guard case .notify(let spec)? = runbook?.steps.first?.driver else { Issue.record("no notify step"); return }
        #expect(spec.channels.map(\.value) == ["log", "incident"])
        #expect(home.lint("m", "runbook: m\ntitle: M\nsteps:\n  - notify: t\n    template: msg\n    channel: \"Incident!\"\n")
            == ["6:14: channel name 'Incident!' must be a lower-case letter followed by letters, digits, '-' or '_' (a name from the environment's notify.channels, or log or stdout)"])
        #expect(home.lint("m", "runbook: m\ntitle: M\nsteps:\n  - notify: t\n    template: msg\n    channel: [a, a]\n")
            == ["6:18: channel 'a' is named twice"])
        #expect(home.lint("m", "runbook: m\ntitle: M\nsteps:\n  - notify: t\n    template: msg\n    channel: []\n")
            == ["6:14: 'channel' must name at least one channel"])
    }

    @Test func aChannelTheEnvironmentLacksIsAConfigurationError() throws {
        let home = Self.home("notify:\n  channels:\n    incidents: {type: stdout}\n")
        let env = try Environment.load(name: "t", home: home.url, processEnvironment: [:])
        let runbook = try #require(home.runbook("n", Self.runbook).runbook)
        let missing = env.missingNotifyChannels(in: runbook)
        #expect(missing.count == 1)
        #expect(missing.first?.hasPrefix("environments/t.yaml: notify.channels has no channel 'incident' (used by step 'tell' of ") == true)
        #expect(missing.first?.hasSuffix("runbooks/n.yaml) (did you mean 'incidents'?)") == true)
        let renderer = CommandRenderer(environment: env, home: home.url)
        #expect(throws: StepError.self) { try renderer.render(runbook.steps[0], scope: ExpressionScope(["run": .object([("title", "N")])])) }
        do {
            _ = try renderer.render(runbook.steps[0], scope: ExpressionScope(["run": .object([("title", "N")])]))
        } catch {
            #expect(error.code == .configuration)
            #expect(error.description.contains("environments/t.yaml: notify.channels has no channel 'incident'"))
        }
    }

    @Test func anEnvironmentWithoutChannelsSendsEveryChannelToItsLog() throws {
        let home = Self.home("notify: {log: ops.log}\n")
        let env = try Environment.load(name: "t", home: home.url, processEnvironment: [:])
        let runbook = try #require(home.runbook("n", Self.runbook).runbook)
        #expect(env.missingNotifyChannels(in: runbook).isEmpty)
        let command = try CommandRenderer(environment: env, home: home.url).render(runbook.steps[0], scope: ExpressionScope(["run": .object([("title", "N")])]))
        guard case .notify(let n) = command else { Issue.record("not a notify command"); return }
        #expect(n.channels.map(\.name) == ["log"])
        #expect(n.channels.first?.path == home.url.appendingPathComponent("ops.log").path)
        #expect(command.wouldDo == "would post msg to log (file \(home.url.appendingPathComponent("ops.log").path))")
    }

    @Test func theAuditNamesChannelsNeverTheirURLs() {
        let n = RenderedCommand.notify(.init(template: "t", message: "m", channels: [NotifyChannel(name: "incident", kind: .slack, url: "https://hooks.example/SECRET")]))
        #expect(JSON.encode(n.auditValue) == #"{"driver":"notify","template":"t","channels":[{"name":"incident","type":"slack"}]}"#)
        #expect(!n.display.contains("SECRET") && !n.wouldDo.contains("SECRET"))
        #expect(n.wouldDo == "would post t to incident (slack)")
    }
}
