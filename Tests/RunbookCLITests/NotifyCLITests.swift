import Foundation
import Testing

/// `runbook notify test` and notify steps as an operator meets them, through the built binary.
@Suite("runbook notify end to end", .serialized)
struct NotifyCLITests {
    static let secret = "hook-Secret-CLI-31337"
    /// Nothing listens on the discard port of loopback: every try is refused at once.
    static let closedURL = "http://127.0.0.1:9/hooks/T0PSECRET"

    let home: URL

    init() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("notify-cli-\(UUID().uuidString)")
        for d in ["runbooks", "checks", "templates", "environments"] {
            try FileManager.default.createDirectory(at: home.appendingPathComponent(d), withIntermediateDirectories: true)
        }
        try """
            environment: t
            notify:
              log: ops.log
              channels:
                incident: {type: file, path: incident.log}
                pager: {type: webhook, url: "${PAGER_URL}", secret: "${PAGER_SECRET}"}
                chat: {type: slack, url: "${CHAT_URL_NOT_SET}"}
            """.write(to: home.appendingPathComponent("environments/t.yaml"), atomically: true, encoding: .utf8)
        try "🚨 ${{ run.title }} (${{ run.status }})\n".write(to: home.appendingPathComponent("templates/msg.md"), atomically: true, encoding: .utf8)
        try """
            runbook: drill
            title: Drill
            steps:
              - notify: tell
                template: msg
                channel: [incidents, pager]
              - action: repair
                confirm: "Repair?"
                shell: [touch, REPAIRED]
            """.write(to: home.appendingPathComponent("runbooks/drill.yaml"), atomically: true, encoding: .utf8)
    }

    func runbook(_ args: [String]) throws -> CLITests.Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLITests.binary)
        process.arguments = args
        process.currentDirectoryURL = home
        var env = ProcessInfo.processInfo.environment
        env["RUNBOOK_AUDIT_LOG"] = home.appendingPathComponent("audit.jsonl").path
        env["NO_COLOR"] = "1"
        env["PAGER_URL"] = Self.closedURL
        env["PAGER_SECRET"] = Self.secret
        env["CHAT_URL_NOT_SET"] = nil
        process.environment = env
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let out = (process.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile()
        let err = (process.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return .init(code: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    @Test func aTestMessageReachesAFileChannel() throws {
        let out = try runbook(["notify", "test", "--env", "t", "incident"])
        #expect(out.code == 0, "\(out.stderr)")
        #expect(out.stdout.contains("incident (file): delivered"), "\(out.stdout)")
        let written = try String(contentsOf: home.appendingPathComponent("incident.log"), encoding: .utf8)
        #expect(written.contains("Teste do canal incident"))
    }

    @Test func anUnknownChannelIsExit2() throws {
        let out = try runbook(["notify", "test", "--env", "t", "incidnet"])
        #expect(out.code == 2)
        #expect(out.stderr.contains("environments/t.yaml: notify.channels has no channel 'incidnet' (did you mean 'incident'?)"), "\(out.stderr)")
    }

    @Test func aChannelWithoutItsURLIsExit2() throws {
        let out = try runbook(["notify", "test", "--env", "t", "chat"])
        #expect(out.code == 2)
        #expect(out.stderr.contains("environments/t.yaml: notify.channels.chat.url is empty: set CHAT_URL_NOT_SET"), "\(out.stderr)")
    }

    @Test func anUnreachableChannelIsExit4AndShowsNoSecret() throws {
        let out = try runbook(["notify", "test", "--env", "t", "pager"])
        #expect(out.code == 4)
        #expect(out.stdout.contains("pager (webhook): not delivered"), "\(out.stdout)")
        #expect(out.stdout.contains("gave up after 3 tries"), "\(out.stdout)")
        for hidden in [Self.secret, Self.closedURL, "T0PSECRET"] { #expect(!(out.stdout + out.stderr).contains(hidden)) }
    }

    @Test func aRunWithAMissingAndAFailedChannelStillRepairs() throws {
        let out = try runbook(["run", "drill", "--env", "t", "--yes"])
        // The environment lacks `incidents`: said before the run, and the run goes on to the repair.
        #expect(out.stderr.contains("warning: environments/t.yaml: notify.channels has no channel 'incidents' (used by step 'tell' of "), "\(out.stderr)")
        #expect(FileManager.default.fileExists(atPath: home.appendingPathComponent("REPAIRED").path), "\(out.stdout)")
        #expect(out.stdout.contains("✖ failed"), "\(out.stdout)")
        #expect(out.stdout.contains("✔ succeeded"))
        #expect(out.code == 2, "a channel the environment lacks is a configuration error")
        let audit = try String(contentsOf: home.appendingPathComponent("audit.jsonl"), encoding: .utf8)
        #expect(!audit.contains(Self.secret) && !audit.contains(Self.closedURL))
    }
}
