import Foundation
import RunbookCore
import Testing

/// The runner as the only writer of the team ledger (issue 19): operators hold the ledger's
/// reader login (as `environments/team.yaml` does in the sandbox), and `approve`, `deny`,
/// `incident ...`, `approvals` and `runs` go to the runner, signed with their keys. The built
/// binary as runner and as client, real keys, the sandbox's PostgreSQL.
@Suite("runbook runner: approve, incident, approvals, runs through the runner (issue 19)", .serialized)
struct RunnerCommandsCLITests {
    let team: RunnerTeam

    init() throws {
        team = try RunnerTeam()
    }

    /// The ledger's reader login on the team's database: all an operator holds.
    func readerURL() throws -> String { Sandbox.url(try Sandbox.variable("RUNBOOK_LEDGER_READER_URL"), database: team.database) }

    /// `runbook ARGS` as an operator holding only the reader's login, through `runner`.
    func asOperator(_ args: [String], _ runner: RunnerTeam.Replica, extra: [String: String] = [:]) throws -> CLITests.Output {
        try team.operatorRun(args, runner: runner.url, extra: ["PROD_DB_URL": try readerURL()].merging(extra) { $1 })
    }

    /// `runbook ARGS` in the runner's own home, with the ledger owner's login: the local path.
    func locally(_ args: [String]) throws -> CLITests.Output {
        try team.sandbox.runbook(args, audit: team.aliceAudit, extra: ["PROD_DB_URL": team.url, "SSH_AUTH_SOCK": "", "RUNBOOK_SIGNING_KEY": ""],
                                 dir: team.runnerHome)
    }

    func gauge() throws -> String { try team.ledgerSQL("SELECT v FROM gauge") }

    /// Alice's live run through the runner, stopped at the four-eyes gate: the request's id.
    func request(_ runner: RunnerTeam.Replica) throws -> String {
        let out = try asOperator(["run", "fix", "--env", "prod", "--key", team.key("alice")], runner)
        #expect(out.code == 3, "\(out.stdout)\(out.stderr)")
        return try #require(out.stdout.firstMatch(of: /apr-[0-9a-f]{10}/).map { String($0.output) })
    }

    @Test func withTheReadersLoginTheLedgerIsWrittenOnlyByTheRunnerByItsPolicy() throws {
        defer { team.drop() }
        let runner = try RunnerTeam.Replica(team: team, name: "a")
        defer { runner.stop() }
        let id = try request(runner)
        // What alice holds cannot rewrite a run or forge a decision.
        let asReader = Sandbox(databaseURL: try readerURL(), apiURL: team.sandbox.apiURL, token: team.sandbox.token, logDir: team.sandbox.logDir)
        asReader.expectPermissionDenied(["UPDATE runbook.runs SET operator = 'bob'",
                                         "INSERT INTO runbook.approval_decisions (request_id, approver, decision, signature) VALUES ('\(id)', 'bob@example.com', 'approved', 'x')"],
            who: "the ledger's reader")
        // Her own approval, through the runner: refused by its policy.
        let own = try asOperator(["approve", id, "--env", "prod", "--key", team.key("alice")], runner)
        #expect(own.code == 2, "\(own.stdout)\(own.stderr)")
        #expect(own.stderr.contains("refused"), "\(own.stderr)")
        #expect(own.stdout.contains(id), "the plan was shown first: \(own.stdout)")
        #expect(try team.ledgerSQL("SELECT count(*) FROM runbook.approval_decisions") == "0")
        // Bob's counts, and the resumed run goes.
        let bob = try asOperator(["approve", id, "--env", "prod", "--key", team.key("bob"), "--comment", "looks right"], runner)
        #expect(bob.code == 0, "\(bob.stdout)\(bob.stderr)")
        #expect(bob.stdout.contains("approved: \(id) by bob@example.com (1 of 1"), "\(bob.stdout)")
        #expect(try team.ledgerSQL("SELECT approver || ' ' || decision || ' ' || comment FROM runbook.approval_decisions") == "bob@example.com approved looks right")
        let resumed = try asOperator(["run", "fix", "--env", "prod", "--key", team.key("alice"), "--resume", id], runner)
        #expect(resumed.code == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(try gauge() == "1")
    }

    @Test func aDenialThroughTheRunnerIsRecordedAsTheSigner() throws {
        defer { team.drop() }
        let runner = try RunnerTeam.Replica(team: team, name: "a")
        defer { runner.stop() }
        let id = try request(runner)
        let noReason = try asOperator(["deny", id, "--env", "prod", "--key", team.key("carol"), "--reason", " "], runner)
        #expect(noReason.code == 2, "\(noReason.stderr)")
        #expect(noReason.stderr.contains("--reason must say why"), "\(noReason.stderr)")
        let carol = try asOperator(["deny", id, "--env", "prod", "--key", team.key("carol"), "--reason", "not now"], runner)
        #expect(carol.code == 0, "\(carol.stdout)\(carol.stderr)")
        #expect(carol.stdout.contains("denied: \(id) by carol@example.com (signed)"), "\(carol.stdout)")
        #expect(try team.ledgerSQL("SELECT status FROM runbook.approval_requests WHERE id = '\(id)'") == "denied")
    }

    /// A request or a decision signed by a key the runner's allowed_signers do not name.
    @Test func aForgedDecisionIsRefused() throws {
        defer { team.drop() }
        let runner = try RunnerTeam.Replica(team: team, name: "a")
        defer { runner.stop() }
        let id = try request(runner)
        let eve = try CLITests.sshKey("eve", in: team.keys)
        let byEve = try RunnerTeam.post(try team.signedCommand(["approve", id, "--env", "prod"], key: eve), to: runner.url + "/commands")
        #expect(byEve.status == 403, "\(byEve.body)")
        #expect(byEve.body.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("{\"exit\":2}"), "\(byEve.body)")
        // Bob's request carrying a decision that eve signed in his name, over the right plan.
        let digest = try team.ledgerSQL("SELECT digest FROM runbook.approval_requests WHERE id = '\(id)'")
        let decided = Int(Date().timeIntervalSince1970)
        let text = ApprovalDecision(requestID: id, approver: "bob@example.com", verdict: .approved, comment: "", decidedAt: decided).signedText(digest: digest)
        let forged = try team.sign(text, key: eve, namespace: "runbook")
        let carried = try team.signedCommand(["approve", id, "--env", "prod"], key: team.key("bob"), decision: ["decided_at": decided, "signature": forged])
        let answer = try RunnerTeam.post(carried, to: runner.url + "/commands")
        #expect(answer.status == 200, "\(answer.body)")
        #expect(answer.body.contains("does not verify as bob@example.com"), "\(answer.body)")
        #expect(answer.body.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("{\"exit\":2}"), "\(answer.body)")
        // Bob's own signature of a decision dated an hour ago: its time must be the ledger's now.
        let old = decided - 3600
        let oldText = ApprovalDecision(requestID: id, approver: "bob@example.com", verdict: .approved, comment: "", decidedAt: old).signedText(digest: digest)
        let stale = try team.signedCommand(["approve", id, "--env", "prod"], key: team.key("bob"),
                                           decision: ["decided_at": old, "signature": try team.sign(oldText, key: team.key("bob"), namespace: "runbook")])
        let late = try RunnerTeam.post(stale, to: runner.url + "/commands")
        #expect(late.body.contains("from the ledger's clock"), "\(late.body)")
        #expect(try team.ledgerSQL("SELECT count(*) FROM runbook.approval_decisions") == "0")
        // The same decision signed by bob's own key is recorded.
        let genuine = try team.sign(text, key: team.key("bob"), namespace: "runbook")
        let signed = try team.signedCommand(["approve", id, "--env", "prod"], key: team.key("bob"), decision: ["decided_at": decided, "signature": genuine])
        let recorded = try RunnerTeam.post(signed, to: runner.url + "/commands")
        #expect(recorded.body.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("{\"exit\":0}"), "\(recorded.body)")
        #expect(try team.ledgerSQL("SELECT approver FROM runbook.approval_decisions") == "bob@example.com")
        // A command the runner does not serve.
        let other = try RunnerTeam.post(try team.signedCommand(["ledger", "init", "--env", "prod"], key: team.key("bob")), to: runner.url + "/commands")
        #expect(other.body.contains("it serves approve, deny, approvals (standing request included), runs and incident"), "\(other.body)")
        #expect(other.body.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("{\"exit\":2}"), "\(other.body)")
    }

    /// A command request is checked as a run request is: replayed, stale, for another
    /// environment, or a run request posted as a command: refused, nothing done.
    @Test func aCommandRequestIsCheckedLikeARunRequest() throws {
        defer { team.drop() }
        let runner = try RunnerTeam.Replica(team: team, name: "a")
        defer { runner.stop() }
        let envelope = try team.signedCommand(["runs", "--env", "prod"], key: team.key("bob"))
        let first = try RunnerTeam.post(envelope, to: runner.url + "/commands")
        #expect(first.status == 200 && first.body.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("{\"exit\":0}"), "\(first.body)")
        let replay = try RunnerTeam.post(envelope, to: runner.url + "/commands")
        #expect(replay.status == 409 && replay.body.contains("a replay"), "\(replay.body)")
        let stale = try team.signedCommand(["runs"], key: team.key("bob"), time: Int(Date().timeIntervalSince1970) - 3600)
        #expect(try RunnerTeam.post(stale, to: runner.url + "/commands").status == 409)
        var other = try Self.adding(["environment": "staging"], to: try team.signedCommand(["runs"], key: team.key("bob")))
        other["nonce"] = RunnerTeam.nonce()
        let elsewhere = try RunnerTeam.post(try team.envelope(other, key: team.key("bob"), namespace: "runbook-request"), to: runner.url + "/commands")
        #expect(elsewhere.status == 400 && elsewhere.body.contains("not 'staging'"), "\(elsewhere.body)")
        let run = try RunnerTeam.post(try team.signedRequest(runbook: "probe", key: team.key("bob")), to: runner.url + "/commands")
        #expect(run.status == 400 && run.body.contains("not a command request"), "\(run.body)")
        #expect(try team.ledgerSQL("SELECT count(*) || ' ' || min(mode) || ' ' || min(principal) FROM runbook.runner_requests") == "1 command bob@example.com")
        #expect(try team.ledgerSQL("SELECT count(*) FROM runbook.runs") == "0", "the run request posted as a command ran nothing")
    }

    @Test func anIncidentIsRecordedAsTheSignerWhateverOperatorSays() throws {
        defer { team.drop() }
        let runner = try RunnerTeam.Replica(team: team, name: "a")
        defer { runner.stop() }
        let opened = try asOperator(["incident", "open", "--env", "prod", "--key", team.key("alice"), "--operator", "bob@example.com",
                                     "--title", "DLQ full", "--severity", "P2", "--impact", "late files"], runner)
        #expect(opened.code == 0, "\(opened.stdout)\(opened.stderr)")
        let id = opened.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.hasPrefix("INC-"), "\(opened.stdout)")
        #expect(opened.stderr.contains("--operator bob@example.com is not used"), "\(opened.stderr)")
        let resolved = try asOperator(["incident", "resolve", id, "--env", "prod", "--key", team.key("alice"), "--operator", "bob@example.com",
                                       "--root-cause", "a stuck worker", "--resolution", "restarted", "--prevention", "a watchdog"], runner)
        #expect(resolved.code == 0, "\(resolved.stdout)\(resolved.stderr)")
        #expect(resolved.stdout.contains("\(id) resolved after"), "\(resolved.stdout)")
        #expect(try team.ledgerSQL("SELECT opened_by || ' ' || status FROM runbook.incidents WHERE id = '\(id)'") == "alice@example.com resolved")
        #expect(try team.ledgerSQL("SELECT string_agg(DISTINCT author, ',') FROM runbook.incident_events WHERE incident_id = '\(id)'") == "alice@example.com")
        let channel = (try? String(contentsOfFile: team.incidentChannel, encoding: .utf8)) ?? ""
        #expect(channel.contains("a stuck worker"), "the runner posted the resolution: \(channel)")
        // Reading it back through the runner prints what the local command prints.
        let shown = try asOperator(["incident", "show", id, "--env", "prod", "--key", team.key("bob")], runner)
        let local = try locally(["incident", "show", id, "--env", "prod"])
        #expect(shown.code == 0 && local.code == 0, "\(shown.stderr)\(local.stderr)")
        #expect(shown.stdout == local.stdout)
    }

    @Test func runsAndApprovalsThroughTheRunnerPrintWhatTheLocalCommandsPrint() throws {
        defer { team.drop() }
        let runner = try RunnerTeam.Replica(team: team, name: "a")
        defer { runner.stop() }
        let id = try request(runner)
        let probe = try asOperator(["run", "probe", "--env", "prod", "--key", team.key("alice")], runner)
        #expect(probe.code == 0, "\(probe.stderr)")
        let runID = try team.ledgerSQL("SELECT run_id FROM runbook.runs WHERE runbook = 'probe'")
        for args in [["approvals", "--env", "prod"], ["approvals", "--env", "prod", "--all", "--format", "json"], ["runs", "--env", "prod"],
                     ["runs", "list", "--env", "prod", "--format", "json"], ["runs", "show", runID, "--env", "prod"], ["runs", "show", "nope", "--env", "prod"]] {
            let through = try asOperator(args + ["--key", team.key("bob")], runner)
            let local = try locally(args)
            #expect(through.code == local.code, "\(args): \(through.stderr) / \(local.stderr)")
            #expect(through.stdout == local.stdout, "\(args)")
            #expect(through.stderr == local.stderr, "\(args)")
        }
        let listed = try asOperator(["approvals", "--env", "prod", "--key", team.key("bob")], runner)
        #expect(listed.stdout.contains(id), "\(listed.stdout)")
        // Only the runner's operators read: a key it does not know reads nothing.
        let eve = try CLITests.sshKey("eve", in: team.keys)
        let byEve = try asOperator(["runs", "--env", "prod"], runner, extra: ["RUNBOOK_SIGNING_KEY": eve])
        #expect(byEve.code == 2, "\(byEve.stdout)\(byEve.stderr)")
        #expect(byEve.stderr.contains("not signed"), "\(byEve.stderr)")
        #expect(byEve.stdout.isEmpty, "\(byEve.stdout)")
    }

    /// The web console of alice's environment (the reader's login, the runner's url) decides
    /// through the runner, "via console", on behalf of the signed-in user; the runner takes a
    /// decision on behalf of someone only from the console principal its policy names.
    @Test func theConsoleDecidesThroughTheRunnerAndOnlyTheConsolePrincipalMay() throws {
        defer { team.drop() }
        let runner = try RunnerTeam.Replica(team: team, name: "a")
        defer { runner.stop() }
        let id = try request(runner)
        // Bob signs a request on behalf of alice: refused, whatever the decision says.
        let digest = try team.ledgerSQL("SELECT digest FROM runbook.approval_requests WHERE id = '\(id)'")
        let decided = Int(Date().timeIntervalSince1970)
        let text = ApprovalDecision(requestID: id, approver: "carol@example.com", verdict: .approved, comment: "", decidedAt: decided, via: .console,
                                    signer: "bob@example.com").signedText(digest: digest)
        var body = try team.signedCommand(["approve", id], key: team.key("bob"), decision: ["decided_at": decided, "signature": try team.sign(text, key: team.key("bob"), namespace: "runbook")])
        body = try team.envelope(try Self.adding(["on_behalf_of": "carol@example.com"], to: body), key: team.key("bob"), namespace: "runbook-request")
        let byBob = try RunnerTeam.post(body, to: runner.url + "/commands")
        #expect(byBob.body.contains("only the console's principal of this runner's policy (approvals.console: console@example.com) decides on behalf of a user, not bob@example.com"), "\(byBob.body)")
        #expect(try team.ledgerSQL("SELECT count(*) FROM runbook.approval_decisions") == "0")
        // The console's key deciding as itself: refused too.
        let itself = try RunnerTeam.post(try team.signedCommand(["approve", id], key: team.key("console")), to: runner.url + "/commands")
        #expect(itself.body.contains("is the console's own principal"), "\(itself.body)")

        // The console, with its key, for bob signed in with his token.
        let tokens = team.root.appendingPathComponent("tokens").path
        let token = try Sandbox.output([CLITests.binary, "serve", "token", "bob@example.com", "--file", tokens]).trimmingCharacters(in: .whitespacesAndNewlines)
        let console = Process()
        console.executableURL = URL(fileURLWithPath: CLITests.binary)
        console.arguments = ["serve", "--env", "prod", "--listen", "127.0.0.1:0", "--dir", team.aliceHome.path, "--tokens", tokens, "--key", team.key("console")]
        var env = ProcessInfo.processInfo.environment
        env["PROD_DB_URL"] = try readerURL()
        env["RUNNER_URL"] = runner.url
        env["SSH_AUTH_SOCK"] = ""
        console.environment = env
        let log = team.root.appendingPathComponent("console.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        console.standardOutput = handle
        console.standardError = handle
        console.standardInput = FileHandle.nullDevice
        try console.run()
        defer { console.killAndReap() }
        #expect(RunnerTeam.eventually { (try? String(contentsOf: log, encoding: .utf8))?.contains("127.0.0.1:") == true || !console.isRunning })
        let printed = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let base = try #require(printed.firstMatch(of: /(http:\/\/127\.0\.0\.1:[0-9]+)\//).map { String($0.output.1) }, "\(printed)")
        let answer = try Sandbox.output(["/usr/bin/curl", "-s", "-X", "POST", "-H", "Authorization: Bearer \(token)", "\(base)/api/approvals/\(id)/approve"])
        #expect(answer.contains("\"outcome\": \"approved\""), "\(answer)")
        #expect(try team.ledgerSQL("SELECT approver || ' ' || via || ' ' || signer FROM runbook.approval_decisions") == "bob@example.com console console@example.com")
        let resumed = try asOperator(["run", "fix", "--env", "prod", "--key", team.key("alice"), "--resume", id], runner)
        #expect(resumed.code == 0, "the console's approval counts on the runner: \(resumed.stdout)\(resumed.stderr)")
        #expect(try gauge() == "1")
    }

    /// The signed request of `envelope` with `fields` added (to be signed again).
    static func adding(_ fields: [String: Any], to envelope: String) throws -> [String: Any] {
        let outer = try #require(try JSONSerialization.jsonObject(with: Data(envelope.utf8)) as? [String: Any])
        let text = try #require(outer["request"] as? String)
        var request = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        request.merge(fields) { $1 }
        return request
    }
}
