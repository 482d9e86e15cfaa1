import Foundation
import Testing

@testable import RunbookCore

/// The silence a live repair asks Alertmanager for (pure), and `alertmanager:` in environments.
@Suite struct AlertSilenceTests {
    static let runbook = """
        runbook: fix
        title: Fix
        steps:
          - check: look
            sql: SELECT 1
          - check: wait
            sql: SELECT 1
            timeout: 10s
            retry: {until: "result.rows[0] != null", every: 1s, for: 2m}
          - action: repair
            confirm: "Repair?"
            shell: [echo, fixed]
        """

    func load(_ text: String) throws -> Runbook {
        let home = TestHome()
        home.write("runbooks/fix.yaml", text)
        let (runbook, diagnostics) = RunbookLoader(home: home.url).loadRunbook(at: home.url.appendingPathComponent("runbooks/fix.yaml"))
        return try #require(runbook, "\(diagnostics)")
    }

    @Test func everyLabelIsAnExactMatcherAndTheBodyIsAPostableSilence() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let silence = AlertSilence(labels: ["severity": "critical", "alertname": "EtlHighErrorRate", "job": "etl\"core"], runID: "20270115T080000-ab12",
                                   runbook: "fix", incident: "INC-0001", operatorName: "alice@example.com", now: now, duration: .seconds(900))
        #expect(silence.matchers.map(\.name) == ["alertname", "job", "severity"])
        let body = try #require(try JSON.parse(silence.body).objectValue)
        #expect(body["createdBy"]?.stringValue == "alice@example.com")
        #expect(body["startsAt"]?.stringValue == "2027-01-15T08:00:00.000Z")
        #expect(body["endsAt"]?.stringValue == "2027-01-15T08:15:00.000Z")
        #expect(body["comment"]?.stringValue?.contains("live run 20270115T080000-ab12 of fix") == true)
        #expect(body["comment"]?.stringValue?.contains("INC-0001") == true)
        guard case .list(let matchers)? = body["matchers"] else { Issue.record("no matchers"); return }
        #expect(matchers.count == 3)
        // A hostile label value stays a value: the JSON encoder quotes it.
        #expect(matchers[1]["value"]?.stringValue == "etl\"core")
        #expect(matchers.allSatisfy { $0["isRegex"] == .bool(false) && $0["isEqual"] == .bool(true) })
    }

    @Test func theSilenceLastsTheRunsTimeLimitAtMostTheMaximum() throws {
        let runbook = try load(Self.runbook)
        // 60 s (the rest) + 60 s (check default) + 2 m + 10 s (retried check) + 10 m (action default).
        #expect(AlertSilence.timeLimit(of: runbook) == .seconds(60 + 60 + 130 + 600))
        #expect(AlertSilence.duration(for: runbook, maximum: .seconds(3600)) == .seconds(850))
        #expect(AlertSilence.duration(for: runbook, maximum: .seconds(300)) == .seconds(300))
    }

    static func environment(_ text: String, _ variables: [String: String] = [:]) -> (Environment?, [String]) {
        let home = TestHome()
        home.write("environments/t.yaml", text)
        do {
            return (try Environment.load(name: "t", home: home.url, processEnvironment: variables), [])
        } catch {
            return (nil, error.diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" })
        }
    }

    @Test func alertmanagerIsAValidatedKey() {
        let (env, none) = Self.environment("alertmanager: {url: \"${AM_URL}\", max_silence: 20m}\n", ["AM_URL": "http://127.0.0.1:9093/"])
        #expect(none.isEmpty)
        #expect(env?.alertmanagerURL == "http://127.0.0.1:9093")
        #expect(env?.maxSilence == .seconds(1200))
        #expect(Self.environment("alertmanager: {url: \"${AM_URL:-}\"}\n").0?.alertmanagerURL == nil, "empty: none")
        #expect(Self.environment("alertmanager: {url: \"http://am:9093\"}\n").0?.maxSilence == .seconds(3600))
        #expect(Self.environment("alertmanager: {url: http://am:9093, silence: 1h}\n").1.first?.contains("silence") == true)
        #expect(Self.environment("alertmanager: {url: \"ftp://am\"}\n").1 == ["1:21: alertmanager.url must be an http or https URL such as http://alertmanager:9093"])
        #expect(Self.environment("alertmanager: {url: \"http://am:9093\", max_silence: 10s}\n").1 == ["1:52: alertmanager.max_silence must be at least 1m"])
        #expect(!Self.environment("alertmanager: http://am\n").1.isEmpty)
    }
}
