import Foundation
import Testing

/// Four-eyes approvals end to end (issue 11): the built binary in a throw-away project whose
/// environment names a ledger (a database of the sandbox's PostgreSQL made for the test),
/// identities (three ed25519 keys made by ssh-keygen here) and an approval policy. The action
/// repairs a `gauge` table in that database, so the test can change what the check finds
/// between approval and resume. Nothing here is timed.
@Suite("runbook approvals (four eyes)")
struct ApprovalCLITests {
    let sandbox: Sandbox
    let home: URL
    let database: String
    let url: String
    let audit: String

    /// `fix`: a check of the `gauge` table, a high-risk repair behind a gate, the check again.
    static let gaugeRunbook = """
        runbook: fix
        title: Gauge fix
        steps:
          - check: error-rate
            sql: SELECT v AS error_rate FROM gauge
            thresholds:
              red: result.rows[0].error_rate > 10
          - action: repair
            when: steps.error-rate.status == "red"
            risk: high
            confirm: "Repair at ${{ steps.error-rate.result.rows[0].error_rate }} %?"
            sql: UPDATE gauge SET v = 1
          - check: after
            same-as: error-rate
        """

    init() throws {
        sandbox = try Sandbox.current()
        (database, url) = try sandbox.newDatabase("approvals")
        home = FileManager.default.temporaryDirectory.appendingPathComponent("approvals-\(UUID().uuidString)")
        for d in ["runbooks", "environments"] {
            try FileManager.default.createDirectory(at: home.appendingPathComponent(d), withIntermediateDirectories: true)
        }
        audit = home.appendingPathComponent("audit.jsonl").path
        try write("environments/prod.allowed_signers", try CLITests.allowedSigners(["alice", "bob", "carol"], in: home))
        try environment()
        try write("runbooks/fix.yaml", Self.gaugeRunbook)
        try ledgerSQL("CREATE TABLE gauge (v int); INSERT INTO gauge VALUES (15)")
        let initialized = try runbook(["ledger", "init", "--env", "prod"])
        #expect(initialized.code == 0, "\(initialized.stderr)")
    }

    /// `environments/prod.yaml` with this policy.
    func environment(_ approvals: String = "{high: 1, medium: 0, approvers: [alice@example.com, bob@example.com, carol@example.com]}") throws {
        try write("environments/prod.yaml", """
            environment: prod
            database: {url: "${APPROVALS_DB_URL}"}
            ledger: {url: "${APPROVALS_DB_URL}"}
            identity: {allowed_signers: environments/prod.allowed_signers}
            approvals: \(approvals)
            secrets: [APPROVALS_DB_URL]
            """)
    }

    func write(_ path: String, _ text: String) throws {
        try text.write(to: home.appendingPathComponent(path), atomically: true, encoding: .utf8)
    }

    func key(_ name: String) -> String { home.appendingPathComponent(name).path }

    func runbook(_ args: [String]) throws -> CLITests.Output {
        try sandbox.runbook(args + (args.first == "audit" ? ["--dir", home.path] : []), audit: audit,
                            extra: ["APPROVALS_DB_URL": url, "SSH_AUTH_SOCK": "", "RUNBOOK_SIGNING_KEY": ""], dir: home)
    }

    @discardableResult
    func ledgerSQL(_ sql: String) throws -> String {
        try Sandbox(databaseURL: url, apiURL: sandbox.apiURL, token: sandbox.token, logDir: sandbox.logDir).psql(sql)
    }

    func drop() { _ = try? sandbox.psql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)") }

    /// A live run by alice that stops at the gate; the request id it printed.
    func request() throws -> String {
        let out = try runbook(["run", "fix", "--env", "prod", "--key", key("alice")])
        #expect(out.code == 3, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.contains("approval needed: 'repair' (high risk) needs 1 approval by someone other than alice@example.com"), "\(out.stdout)")
        let id = try #require(out.stdout.firstMatch(of: /apr-[0-9a-f]{10}/).map { String($0.output) })
        #expect(out.stdout.contains("approve: runbook approve \(id) --env prod"), "\(out.stdout)")
        #expect(out.stdout.contains("then:    runbook run fix --env prod --resume \(id)"), "\(out.stdout)")
        #expect(try ledgerSQL("SELECT v FROM gauge") == "15", "nothing ran at the gate")
        return id
    }

    func approve(_ id: String, by name: String, comment: String = "") throws -> CLITests.Output {
        try runbook(["approve", id, "--env", "prod", "--key", key(name)] + (comment.isEmpty ? [] : ["--comment", comment]))
    }

    func resume(_ id: String) throws -> CLITests.Output {
        try runbook(["run", "fix", "--env", "prod", "--key", key("alice"), "--resume", id])
    }

    var records: [[String: Any]] {
        ((try? String(contentsOfFile: audit, encoding: .utf8)) ?? "").split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func requestDenyThenApproveAndResume() throws {
        defer { drop() }
        let denied = try request()
        let list = try runbook(["approvals", "--env", "prod", "--format", "json"])
        #expect(list.code == 0, "\(list.stderr)")
        let pending = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(pending.count == 1)
        #expect(pending.first?["id"] as? String == denied)
        for key in ["runbook", "action", "requester", "digest", "expires_at"] { #expect(pending.first?[key] != nil, "\(key)") }
        #expect(pending.first?["requester"] as? String == "alice@example.com")
        #expect((pending.first?["digest"] as? String)?.hasPrefix("sha256:") == true)

        let deny = try runbook(["deny", denied, "--env", "prod", "--key", key("bob"), "--reason", "not during the batch window"])
        #expect(deny.code == 0, "\(deny.stderr)")
        let refused = try resume(denied)
        #expect(refused.code == 2)
        #expect(refused.stderr.contains("\(denied) was denied by bob@example.com: not during the batch window; nothing was run"), "\(refused.stderr)")
        #expect(try ledgerSQL("SELECT v FROM gauge") == "15")

        let id = try request()
        let approved = try approve(id, by: "bob", comment: "looks right")
        #expect(approved.code == 0, "\(approved.stderr)")
        // The approver saw the whole plan before signing.
        for shown in ["asked by  alice@example.com", "will run  SQL UPDATE gauge SET v = 1", "question  Repair at 15 %?", "[RED] error-rate",
                      "steps.error-rate.result.rows[0].error_rate = 15", "        error_rate\n        ──────────\n" + String(repeating: " ", count: 14) + "*15*\n        (SELECT 1)",
                      "digest    sha256:"] {
            #expect(approved.stdout.contains(shown), "missing '\(shown)' in:\n\(approved.stdout)")
        }
        // It opens with one sentence (wrapped to 80 columns): who asks to run what, and why.
        #expect(approved.stdout.replacingOccurrences(of: "\n  ", with: " ")
            .contains("alice@example.com asks to run repair (high risk) of fix in prod, because error-rate is RED (error_rate = 15)."), "\(approved.stdout)")
        let run = try resume(id)
        #expect(run.code == 0, "\(run.stdout)\(run.stderr)")
        #expect(try ledgerSQL("SELECT v FROM gauge") == "1")
        let gate = try #require(records.last { $0["event"] as? String == "gate.decision" && $0["decision"] as? String == "approved" })
        let approval = try #require(gate["approval"] as? [String: Any])
        #expect(approval["request_id"] as? String == id)
        #expect(approval["requester"] as? String == "alice@example.com")
        #expect(approval["digest"] as? String == (try ledgerSQL("SELECT digest FROM runbook.approval_requests WHERE id = '\(id)'")))
        let first = try #require((approval["approvals"] as? [[String: Any]])?.first)
        #expect(first["approver"] as? String == "bob@example.com")
        #expect(first["comment"] as? String == "looks right")
        #expect((first["signature"] as? String)?.hasPrefix("-----BEGIN SSH SIGNATURE-----") == true)
        // Used once: it does not pass a second run.
        let again = try resume(id)
        #expect(again.code == 2)
        #expect(again.stderr.contains("\(id) is used (its action already ran)"), "\(again.stderr)")
        let verify = try runbook(["audit", "verify", "--env", "prod", "--ledger"])
        #expect(verify.code == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("1 four-eyes gate passed with enough valid approvals"), "\(verify.stdout)")
        #expect(verify.stdout.contains("2 approval requests, 4 signatures of requesters and approvers verified"), "\(verify.stdout)")
    }

    /// `run fix --wait-approval` by alice, started and left running: the child, and its
    /// standard output read up to the line saying it waits (no sleep: the line is the signal).
    func waitingRun() throws -> (process: Process, output: Pipe, seen: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLITests.binary)
        process.arguments = ["run", "fix", "--env", "prod", "--key", key("alice"), "--wait-approval", "30m", "--dir", home.path]
        process.currentDirectoryURL = home
        var env = ProcessInfo.processInfo.environment
        env.merge(sandbox.variables) { $1 }
        env.merge(["RUNBOOK_AUDIT_LOG": audit, "NO_COLOR": "1", "APPROVALS_DB_URL": url, "SSH_AUTH_SOCK": "", "RUNBOOK_SIGNING_KEY": ""]) { $1 }
        process.environment = env
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let seen = Self.read(output, until: "waiting up to 30m for approval of ")
        return (process, output, seen)
    }

    /// Reads `pipe` until `needle` has appeared (or the writer closed it) and returns what was read.
    static func read(_ pipe: Pipe, until needle: String? = nil) -> String {
        var text = ""
        while needle.map({ !text.contains($0) }) ?? true {
            let data = pipe.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        return text
    }

    @Test func ctrlCWhileWaitingForApprovalIsRecordedAndLeavesTheRequestOpen() throws {
        defer { drop() }
        let (process, output, seen) = try waitingRun()
        #expect(seen.contains("waiting up to 30m for approval of "), "\(seen)")
        let id = try #require(seen.firstMatch(of: /apr-[0-9a-f]{10}/).map { String($0.output) })
        kill(process.processIdentifier, SIGINT)
        let rest = Self.read(output)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 130, "\(process.terminationStatus): \(seen)\(rest)")
        #expect(rest.contains("interrupted while waiting for approval; the request stays open"), "\(rest)")
        #expect(try ledgerSQL("SELECT status FROM runbook.approval_requests WHERE id = '\(id)'") == "pending")
        #expect(try ledgerSQL("SELECT v FROM gauge") == "15")
        let ended = try #require(records.last { $0["event"] as? String == "step.ended" && $0["step"] as? String == "repair" })
        #expect(ended["message"] as? String == "interrupted while waiting for approval; the request stays open")
        let run = try #require(records.last { $0["event"] as? String == "run.ended" })
        #expect(run["exit_code"] as? Int == 130, "\(run)")
        #expect(try runbook(["audit", "verify"]).code == 0)
        // Still open: approved now, it can be resumed.
        #expect(try approve(id, by: "bob").code == 0)
        let resumed = try resume(id)
        #expect(resumed.code == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(try ledgerSQL("SELECT v FROM gauge") == "1")
    }

    @Test func aWaitingRunWakesOnTheLedgersNotification() throws {
        defer { drop() }
        let (process, output, seen) = try waitingRun()
        let id = try #require(seen.firstMatch(of: /apr-[0-9a-f]{10}/).map { String($0.output) })
        // It listens on the channel the decisions are announced on (its own connection, whose
        // last statement is the LISTEN), rather than reading the request every second.
        #expect(try ledgerSQL("""
            SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'runbook-ledger'
               AND query ILIKE 'LISTEN%runbook_approvals%'
            """) == "1")
        #expect(try approve(id, by: "bob", comment: "go").code == 0)
        let rest = Self.read(output)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(seen)\(rest)")
        #expect(rest.contains("approved by bob@example.com: running again to check the plan has not changed"), "\(rest)")
        #expect(rest.contains("succeeded          repair"), "\(rest)")
        #expect(try ledgerSQL("SELECT v FROM gauge") == "1")
        #expect(try ledgerSQL("SELECT status FROM runbook.approval_requests WHERE id = '\(id)'") == "used")
    }

    @Test func nobodyApprovesTheirOwnRequestNorTwiceNorWithoutBeingAnApprover() throws {
        defer { drop() }
        try environment("{high: 1, approvers: [alice@example.com, bob@example.com]}")
        // The requester is the principal of the run's key, whatever --operator says.
        let asked = try runbook(["run", "fix", "--env", "prod", "--key", key("alice"), "--operator", "bob@example.com"])
        #expect(asked.code == 3)
        #expect(asked.stdout.contains("by someone other than alice@example.com"), "\(asked.stdout)")
        let id = try #require(asked.stdout.firstMatch(of: /apr-[0-9a-f]{10}/).map { String($0.output) })
        #expect(try ledgerSQL("SELECT requester FROM runbook.approval_requests WHERE id = '\(id)'") == "alice@example.com")
        let ownByKey = try approve(id, by: "alice")
        #expect(ownByKey.code == 2)
        #expect(ownByKey.stderr.contains("refused: alice@example.com asked for \(id): nobody approves their own request"), "\(ownByKey.stderr)")
        let outsider = try approve(id, by: "carol")
        #expect(outsider.code == 2)
        #expect(outsider.stderr.contains("refused: carol@example.com is not an approver in environment 'prod'"), "\(outsider.stderr)")
        #expect(try ledgerSQL("SELECT count(*) FROM runbook.approval_decisions") == "0", "a refusal records nothing")
        let early = try resume(id)
        #expect(early.code == 3)
        #expect(early.stderr.contains("\(id) still awaits approval (0 of 1)"), "\(early.stderr)")
        #expect(try ledgerSQL("SELECT v FROM gauge") == "15")
    }

    @Test func driftBetweenApprovalAndResumeVoidsTheApproval() throws {
        defer { drop() }
        let id = try request()
        #expect(try approve(id, by: "bob").code == 0)
        try ledgerSQL("UPDATE gauge SET v = 12")
        let stale = try resume(id)
        #expect(stale.code == 3, "\(stale.stdout)\(stale.stderr)")
        #expect(stale.stdout.contains("approval \(id) is stale, the plan changed since approval: error-rate: red 12 -> red 12") == false)
        #expect(stale.stdout.contains("error-rate: red 15 -> red 12 since approval"), "\(stale.stdout)")
        #expect(try ledgerSQL("SELECT v FROM gauge") == "12", "the action did not run")
        let record = try #require(records.last { $0["event"] as? String == "approval.stale" })
        #expect(record["request_id"] as? String == id)
        #expect((record["diff"] as? [String])?.contains("error-rate: red 15 -> red 12 since approval") == true)
        #expect(try ledgerSQL("SELECT status FROM runbook.approval_requests WHERE id = '\(id)'") == "stale")
        // Green now: the action's when is false, nothing to approve.
        try ledgerSQL("UPDATE gauge SET v = 2")
        let again = try resume(id)
        #expect(again.code == 2, "a stale request never passes again: \(again.stderr)")
    }

    @Test func anExpiredRequestIsRefused() throws {
        defer { drop() }
        try environment("{high: 1, approvers: [bob@example.com], expires: 1s}")
        let id = try request()
        // Waits for the ledger's clock to pass expires_at: no fixed sleep.
        let deadline = Date().addingTimeInterval(60)
        while try ledgerSQL("SELECT now() > expires_at FROM runbook.approval_requests WHERE id = '\(id)'") != "t", Date() < deadline { usleep(100_000) }
        let late = try approve(id, by: "bob")
        #expect(late.code == 2)
        #expect(late.stderr.contains("\(id) expired at"), "\(late.stderr)")
        let resumed = try resume(id)
        #expect(resumed.code == 2)
        #expect(resumed.stderr.contains("expired"), "\(resumed.stderr)")
        #expect(try ledgerSQL("SELECT v FROM gauge") == "15")
    }

    @Test func anActionAskingForTwoApprovalsNeedsTwoPeople() throws {
        defer { drop() }
        let yaml = try String(contentsOf: home.appendingPathComponent("runbooks/fix.yaml"), encoding: .utf8)
        try write("runbooks/fix.yaml", yaml.replacingOccurrences(of: "    risk: high\n", with: "    risk: high\n    approvals: 2\n"))
        let out = try runbook(["run", "fix", "--env", "prod", "--key", key("alice")])
        #expect(out.code == 3)
        #expect(out.stdout.contains("needs 2 approvals"), "\(out.stdout)")
        let id = try #require(out.stdout.firstMatch(of: /apr-[0-9a-f]{10}/).map { String($0.output) })
        let one = try approve(id, by: "bob")
        #expect(one.code == 0)
        #expect(one.stdout.contains("1 of 2 approvals; 1 more needed"), "\(one.stdout)")
        let twice = try approve(id, by: "bob")
        #expect(twice.code == 2)
        #expect(twice.stderr.contains("bob@example.com has already decided on \(id): the same person counts once"), "\(twice.stderr)")
        let early = try resume(id)
        #expect(early.code == 3)
        #expect(early.stderr.contains("(1 of 2)"), "\(early.stderr)")
        #expect(try approve(id, by: "carol").code == 0)
        let run = try resume(id)
        #expect(run.code == 0, "\(run.stdout)\(run.stderr)")
        #expect(try ledgerSQL("SELECT v FROM gauge") == "1")
    }

    @Test func anApprovalRowEditedInTheLedgerIsRefused() throws {
        defer { drop() }
        let id = try request()
        #expect(try approve(id, by: "bob", comment: "ok").code == 0)
        try ledgerSQL("UPDATE runbook.approval_decisions SET comment = 'ok, and also drop the table' WHERE request_id = '\(id)'")
        let refused = try resume(id)
        #expect(refused.code == 2)
        #expect(refused.stderr.contains("the approval by bob@example.com does not verify: the decision row was edited or forged"), "\(refused.stderr)")
        #expect(try ledgerSQL("SELECT v FROM gauge") == "15")
        let verify = try runbook(["audit", "verify", "--env", "prod", "--ledger"])
        #expect(verify.code == 1)
        #expect(verify.stdout.contains("approval request \(id) (run"), "\(verify.stdout)")
        #expect(verify.stdout.contains("the approved decision by bob@example.com does not verify"), "\(verify.stdout)")
        // A forged request: the requester's row rewritten to name someone else.
        try ledgerSQL("UPDATE runbook.approval_requests SET requester = 'carol@example.com' WHERE id = '\(id)'")
        let forged = try runbook(["audit", "verify", "--env", "prod", "--ledger"])
        #expect(forged.stdout.contains("the request signed by carol@example.com does not verify"), "\(forged.stdout)")
    }
}
