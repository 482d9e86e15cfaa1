import Foundation
import RunbookCore
import Testing
@testable import RunbookDrivers

/// A whole run with a notify step whose channel fails: the repair after it still runs, the
/// step is `failed` with the channel's answer in the report and the audit, and no URL or
/// secret is in either. A dry run posts nothing.
@Suite("Notify steps in a run")
struct NotifyRunTests {
    static let hookSecret = "hook-Secret-Value-77"

    struct Project {
        let home: URL
        let runbook: Runbook
        let environment: Environment
        var audit: String { home.appendingPathComponent("audit.jsonl").path }
        var repaired: Bool { FileManager.default.fileExists(atPath: home.appendingPathComponent("REPAIRED").path) }
    }

    static func project(hookURL: String) throws -> Project {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("notify-run-\(UUID().uuidString)")
        for d in ["runbooks", "checks", "templates", "environments"] {
            try FileManager.default.createDirectory(at: home.appendingPathComponent(d), withIntermediateDirectories: true)
        }
        try """
            runbook: n
            title: Incident drill
            steps:
              - check: before
                shell: [echo, ok]
              - notify: tell
                template: msg
                channel: [incident, log]
              - action: repair
                confirm: "Repair?"
                shell: [touch, REPAIRED]
            """.write(to: home.appendingPathComponent("runbooks/n.yaml"), atomically: true, encoding: .utf8)
        try "🚨 ${{ run.title }}\nRun ${{ run.id }} is ${{ run.status }}\n".write(to: home.appendingPathComponent("templates/msg.md"), atomically: true, encoding: .utf8)
        try """
            environment: t
            notify:
              log: ops.log
              channels:
                incident: {type: webhook, url: "${HOOK_URL}", secret: "${HOOK_SECRET}"}
            """.write(to: home.appendingPathComponent("environments/t.yaml"), atomically: true, encoding: .utf8)
        let environment = try Environment.load(name: "t", home: home, processEnvironment: ["HOOK_URL": hookURL, "HOOK_SECRET": hookSecret])
        let (loaded, diagnostics) = RunbookLoader(home: home).loadRunbook(at: home.appendingPathComponent("runbooks/n.yaml"))
        return Project(home: home, runbook: try #require(loaded, "\(diagnostics)"), environment: environment)
    }

    static func run(_ p: Project, dryRun: Bool) async throws -> RunReport {
        let http = HTTPDriver()
        let drivers = DriverRegistry([.shell: ShellDriver(), .notify: NotifyDriver(http: http, policy: NotifyRetryPolicy(backoff: .milliseconds(10)))])
        let executor = Executor(drivers: drivers, audit: try AuditLog(path: p.audit), renderer: CommandRenderer(environment: p.environment, home: p.home),
                                redactor: Redactor(secrets: p.environment.secrets))
        let report = await executor.run(.init(runbook: p.runbook, environment: p.environment, inputs: [:],
                                              mode: Planner.Mode(dryRun: dryRun, yes: true), operatorName: "ana", host: "h"))
        await http.shutdown()
        return report
    }

    @Test func aFailedChannelDoesNotStopTheRepair() async throws {
        let receiver = TestNotifyReceiver(script: ["down": [.init(status: .badGateway, body: "upstream unavailable")]])
        let (report, project, url) = try await receiver.with { base in
            let project = try Self.project(hookURL: "\(base)/down")
            return (try await Self.run(project, dryRun: false), project, "\(base)/down")
        }
        #expect(await receiver.received("down").count == 3)
        #expect(report.steps.map(\.status.rawValue) == ["green", "failed", "succeeded"])
        #expect(project.repaired, "the repair after the failed notification did not run")
        #expect(report.status == .yellow)
        #expect(report.exitCode == 0)
        let tell = report.steps[1]
        #expect(tell.message == "incident (webhook): not delivered, HTTP 502 — gave up after 3 tries: upstream unavailable")
        // The operational log still got it.
        let log = try String(contentsOf: project.home.appendingPathComponent("ops.log"), encoding: .utf8)
        #expect(log.contains("🚨 Incident drill"))
        // The audit records the channel's answer, and neither the URL nor the secret.
        let audit = try String(contentsOfFile: project.audit, encoding: .utf8)
        let ended = try #require(audit.split(separator: "\n").first { $0.contains("\"step.ended\"") && $0.contains("\"tell\"") })
        #expect(ended.contains("\"status\":\"failed\""))
        #expect(ended.contains("HTTP 502") && ended.contains("upstream unavailable"))
        #expect(!audit.contains(url) && !audit.contains(Self.hookSecret))
        #expect(!JSONReport.render(report).contains(url))
        #expect(try AuditVerifier.verify(path: project.audit).intact)
    }

    @Test func aDryRunShowsWhatItWouldPostAndPostsNothing() async throws {
        let receiver = TestNotifyReceiver()
        let (report, project) = try await receiver.with { base in
            let project = try Self.project(hookURL: "\(base)/hook")
            return (try await Self.run(project, dryRun: true), project)
        }
        #expect(await receiver.all().isEmpty)
        #expect(report.steps.map(\.status.rawValue) == ["green", "planned", "planned"])
        let tell = report.steps[1]
        #expect(tell.message == "would post msg to incident (webhook), log (file \(project.home.appendingPathComponent("ops.log").path))")
        #expect(tell.result["message"]?.stringValue?.hasPrefix("🚨 Incident drill") == true)
        #expect(!FileManager.default.fileExists(atPath: project.home.appendingPathComponent("ops.log").path))
    }
}
