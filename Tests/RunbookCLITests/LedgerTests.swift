import Foundation
import RunbookCore
import Testing

/// The team's ledger against the sandbox's PostgreSQL: each test makes a database of its own
/// (`ledger_<random>`), runs the built binary in a throw-away project, and reads the ledger
/// with psql. Nothing here is timed; waits only detect a hang.
@Suite("runbook ledger")
struct LedgerTests {
    let sandbox: Sandbox
    let home: URL
    let database: String
    let ledgerURL: String

    init() throws {
        sandbox = try Sandbox.current()
        (database, ledgerURL) = try sandbox.newDatabase("ledger")
        home = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString)")
        for d in ["runbooks", "environments"] {
            try FileManager.default.createDirectory(at: home.appendingPathComponent(d), withIntermediateDirectories: true)
        }
        try write("environments/team.yaml", """
            environment: team
            database: {url: "${ETL_DATABASE_URL}"}
            ledger: {url: "${RUNBOOK_LEDGER_URL}"}
            secrets: [ETL_DATABASE_URL, RUNBOOK_LEDGER_URL, TEAM_TOKEN]
            """)
        try write("runbooks/repair.yaml", """
            runbook: repair
            title: Checks and a repair
            inputs:
              token: {type: string, secret: true, default: "none"}
              sleep: {type: int, default: 0}
            steps:
              - check: first
                shell: [echo, one]
              - check: second
                shell: [bash, -c, "echo token=$TOKEN"]
                env: {TOKEN: "${{ inputs.token }}"}
              - action: fix
                risk: low
                confirm: "Fix it?"
                shell: [bash, -c, "echo fixed; sleep $0", "${{ inputs.sleep }}"]
              - check: after
                shell: [echo, done]
            """)
    }

    func write(_ path: String, _ text: String) throws {
        try text.write(to: home.appendingPathComponent(path), atomically: true, encoding: .utf8)
    }

    var environment: [String: String] {
        ["RUNBOOK_LEDGER_URL": ledgerURL, "ETL_DATABASE_URL": sandbox.databaseURL, "TEAM_TOKEN": "s3cr3t-team-token", "NO_COLOR": "1"]
    }

    /// Runs the binary in the project; `audit` names its local log.
    func runbook(_ args: [String], audit: String, extra: [String: String] = [:]) throws -> CLITests.Output {
        try sandbox.runbook(args, audit: audit, extra: environment.merging(extra) { $1 }, dir: home)
    }

    /// Starts the binary without waiting.
    func launch(_ args: [String], audit: String, extra: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLITests.binary)
        process.arguments = args + ["--dir", home.path] + (args.first == "run" ? ["--audit-log", audit] : [])
        process.currentDirectoryURL = home
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        env.merge(extra) { $1 }
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        // What it said on stderr, for a failure's message: see `stderr(of:)`.
        _ = FileManager.default.createFile(atPath: audit + ".stderr", contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: audit + ".stderr"))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The stderr of the process `launch` started with this audit log.
    func stderr(of audit: String) -> String {
        (try? String(contentsOfFile: audit + ".stderr", encoding: .utf8)) ?? ""
    }

    /// psql on the test's ledger database.
    @discardableResult
    func ledgerSQL(_ sql: String) throws -> String {
        try Sandbox(databaseURL: ledgerURL, apiURL: sandbox.apiURL, token: sandbox.token, logDir: sandbox.logDir).psql(sql)
    }

    func initLedger() throws {
        let audit = Sandbox.auditPath()
        let out = try runbook(["ledger", "init", "--env", "team"], audit: audit)
        #expect(out.code == 0, "\(out.stdout)\(out.stderr)")
    }

    /// Complete records in a local log.
    func localRecords(_ path: String) -> Int {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").filter { $0.contains("\"prev\"") }.count
    }

    func waitFor(_ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(90)
        while !condition() {
            if Date() > deadline { return false }
            usleep(20_000)
        }
        return true
    }

    @Test func initIsIdempotentAndSafeConcurrently() throws {
        defer { _ = try? sandbox.psql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)") }
        let audit = Sandbox.auditPath()
        let a = try launch(["ledger", "init", "--env", "team"], audit: audit)
        let b = try launch(["ledger", "init", "--env", "team"], audit: audit)
        #expect(waitFor { !a.isRunning && !b.isRunning })
        #expect(a.terminationStatus == 0 && b.terminationStatus == 0)
        // Each version applied once, every one of them.
        let versions = try ledgerSQL("SELECT count(*) || ' ' || count(DISTINCT version) || ' ' || max(version) FROM runbook.schema_version")
        #expect(Set(versions.split(separator: " ")).count == 1 && versions != "0 0 ", "\(versions)")
        let again = try runbook(["ledger", "init", "--env", "team"], audit: audit)
        #expect(again.code == 0 && again.stdout.contains("nothing to do"), "\(again.stdout)")
    }

    @Test func newerSchemaIsRefusedAndLeftUnchanged() throws {
        defer { _ = try? sandbox.psql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)") }
        try initLedger()
        try ledgerSQL("INSERT INTO runbook.schema_version (version, applied_by) VALUES (99, 'the future')")
        let audit = Sandbox.auditPath()
        let init2 = try runbook(["ledger", "init", "--env", "team"], audit: audit)
        #expect(init2.code == 2, "\(init2.stdout)\(init2.stderr)")
        #expect(init2.stderr.contains("newer than this runbook binary"), "\(init2.stderr)")
        let run = try runbook(["run", "repair", "--env", "team", "--yes"], audit: audit)
        #expect(run.code == 0, "the run goes on without the ledger: \(run.stderr)")
        #expect(run.stderr.contains("schema version 99"), "\(run.stderr)")
        #expect(try ledgerSQL("SELECT count(*) FROM runbook.records") == "0")
        #expect(try ledgerSQL("SELECT max(version) FROM runbook.schema_version") == "99")
    }

    @Test func runsListsAndShowsEveryStepWithoutSecrets() throws {
        defer { _ = try? sandbox.psql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)") }
        try initLedger()
        let audit = Sandbox.auditPath()
        let live = try runbook(["run", "repair", "--env", "team", "--yes", "--operator", "ana", "--input", "token=s3cr3t-team-token"], audit: audit)
        #expect(live.code == 0, "\(live.stderr)")
        #expect(!live.stderr.contains("warning"), "\(live.stderr)")
        let dry = try runbook(["run", "repair", "--env", "team", "--dry-run", "--operator", "bruno"], audit: audit)
        #expect(dry.code == 0, "\(dry.stderr)")

        let list = try runbook(["runs", "--env", "team", "--format", "json"], audit: audit)
        #expect(list.code == 0, "\(list.stderr)")
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(runs.count == 2)
        #expect(runs.first?["operator"] as? String == "bruno", "newest first")
        #expect(runs.first?["mode"] as? String == "dry-run")
        // A dry run sends its start at once and the rest at its end: all of it arrived.
        #expect(runs.first?["status"] as? String == "green", "the dry run's end did not reach the ledger")
        #expect(try ledgerSQL("SELECT count(*) FROM runbook.records") == "\(localRecords(audit))")
        #expect(runs.last?["operator"] as? String == "ana")
        #expect(runs.last?["status"] as? String == "green")
        #expect(runs.allSatisfy { $0["active"] as? Bool == false })

        let mine = try runbook(["runs", "--env", "team", "--operator", "ana"], audit: audit)
        #expect(mine.stdout.contains("ana") && !mine.stdout.contains("bruno"), "\(mine.stdout)")
        let liveID = try #require(runs.last?["run_id"] as? String)
        let show = try runbook(["runs", "show", liveID, "--env", "team"], audit: audit)
        #expect(show.code == 0, "\(show.stderr)")
        for expected in ["repair on team (live)", "[first]", "[fix] action runs: bash -c", "gate (low): approved by ana via --yes", "fix: succeeded", "| fixed", "ended"] {
            #expect(show.stdout.contains(expected), "missing '\(expected)' in:\n\(show.stdout)")
        }
        #expect(!show.stdout.contains("s3cr3t-team-token"), "a secret input reached the ledger")
        #expect(try !ledgerSQL("SELECT string_agg(line, '') FROM runbook.records").contains("s3cr3t-team-token"))
        let unknown = try runbook(["runs", "show", "no-such-run", "--env", "team"], audit: audit)
        #expect(unknown.code == 2)
    }

    @Test func ledgerDownDuringALiveRunThenSync() throws {
        defer { _ = try? sandbox.psql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)") }
        try initLedger()
        let audit = Sandbox.auditPath()
        let closed = ledgerURL.replacingOccurrences(of: ":\(URL(string: ledgerURL)?.port ?? 0)/", with: ":1/")
        let down = try runbook(["run", "repair", "--env", "team", "--yes"], audit: audit, extra: ["RUNBOOK_LEDGER_URL": closed])
        #expect(down.code == 0, "the run goes on: \(down.stderr)")
        #expect(down.stderr.components(separatedBy: "warning:").count - 1 == 1, "said once: \(down.stderr)")
        #expect(down.stderr.contains("audit sync"), "\(down.stderr)")
        #expect(try ledgerSQL("SELECT count(*) FROM runbook.records") == "0")

        let sync = try runbook(["audit", "sync", "--env", "team", "--dir", home.path], audit: audit)
        #expect(sync.code == 0, "\(sync.stdout)\(sync.stderr)")
        let count = localRecords(audit)
        #expect(count > 5)
        #expect(try ledgerSQL("SELECT count(*) FROM runbook.records") == "\(count)")
        let again = try runbook(["audit", "sync", "--env", "team", "--dir", home.path], audit: audit)
        #expect(again.stdout.contains(" 0 records sent"), "\(again.stdout)")
        // The next run sends its own records; every record is there exactly once.
        let next = try runbook(["run", "repair", "--env", "team", "--yes"], audit: audit)
        #expect(next.code == 0, "\(next.stderr)")
        #expect(try ledgerSQL("SELECT count(*) || ' ' || count(DISTINCT seq) || ' ' || max(seq) FROM runbook.records") == "\(localRecords(audit)) \(localRecords(audit)) \(localRecords(audit))")
        let verify = try runbook(["audit", "verify", "--ledger", "--env", "team", "--dir", home.path], audit: audit)
        #expect(verify.code == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test func refusedPasswordIsNeverPrinted() throws {
        defer { _ = try? sandbox.psql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)") }
        try initLedger()
        let audit = Sandbox.auditPath()
        let wrong = ledgerURL.replacingOccurrences(of: "etl:etl@", with: "etl:Wr0ngPassw0rd@")
        #expect(wrong != ledgerURL)
        let run = try runbook(["run", "repair", "--env", "team", "--yes"], audit: audit, extra: ["RUNBOOK_LEDGER_URL": wrong])
        #expect(run.code == 0, "\(run.stderr)")
        #expect(run.stderr.contains("password authentication failed"), "\(run.stderr)")
        let runs = try runbook(["runs", "--env", "team"], audit: audit, extra: ["RUNBOOK_LEDGER_URL": wrong])
        #expect(runs.code == 4, "\(runs.stderr)")
        for out in [run, runs] { #expect(!(out.stdout + out.stderr).contains("Wr0ngPassw0rd")) }
    }

    @Test func sigkillMidRunLosesNothing() throws {
        defer { _ = try? sandbox.psql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)") }
        try initLedger()
        let audit = Sandbox.auditPath()
        let process = try launch(["run", "repair", "--env", "team", "--yes", "--input", "sleep=60"], audit: audit)
        let started = waitFor { ((try? String(contentsOfFile: audit, encoding: .utf8)) ?? "").contains("\"event\":\"step.started\",\"run_id\"") && ((try? String(contentsOfFile: audit, encoding: .utf8)) ?? "").contains("\"step\":\"fix\"") }
        #expect(started)
        // The action's announcement is in the ledger before the action runs; the run is active.
        #expect(waitFor { (try? ledgerSQL("SELECT count(*) FROM runbook.records WHERE event = 'step.started' AND line LIKE '%\"step\":\"fix\"%'")) == "1" })
        let active = try runbook(["runs", "--env", "team", "--active", "--format", "json"], audit: audit)
        let activeRuns = try #require(try JSONSerialization.jsonObject(with: Data(active.stdout.utf8)) as? [[String: Any]])
        #expect(activeRuns.count == 1)
        #expect((activeRuns.first?["run_lock"] as? String)?.hasPrefix("held: repair@team") == true, "\(activeRuns)")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let killedRecords = localRecords(audit)

        #expect(waitFor { (try? runbook(["runs", "--env", "team", "--active"], audit: audit).stdout.contains("no run is going on")) == true })
        let next = try runbook(["run", "repair", "--env", "team", "--yes"], audit: audit)
        #expect(next.code == 0, "\(next.stderr)")
        #expect(try Int(ledgerSQL("SELECT count(*) FROM runbook.records")) ?? 0 >= killedRecords)
        #expect(try ledgerSQL("SELECT count(*) FROM runbook.records") == "\(localRecords(audit))")
        let list = try runbook(["runs", "--env", "team", "--format", "json"], audit: audit)
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(runs.contains { $0["status"] as? String == "unfinished" }, "\(runs)")
    }

    @Test func eightOperatorsAtOnceLoseNothing() throws {
        defer { _ = try? sandbox.psql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)") }
        try initLedger()
        // Eight runbooks (one run lock each), eight operators, eight local logs.
        let yaml = try String(contentsOf: home.appendingPathComponent("runbooks/repair.yaml"), encoding: .utf8)
        var logs: [String] = []
        var processes: [Process] = []
        for i in 0..<8 {
            try write("runbooks/repair-\(i).yaml", yaml.replacingOccurrences(of: "runbook: repair", with: "runbook: repair-\(i)"))
            let log = Sandbox.auditPath()
            logs.append(log)
            processes.append(try launch(["run", "repair-\(i)", "--env", "team", "--yes", "--operator", "op\(i)"], audit: log))
        }
        #expect(waitFor { processes.allSatisfy { !$0.isRunning } })
        #expect(processes.map(\.terminationStatus) == Array(repeating: 0, count: 8), "\(logs.map(stderr(of:)))")
        let total = logs.map(localRecords).reduce(0, +)
        #expect(try ledgerSQL("SELECT count(*) FROM runbook.records") == "\(total)", "\(logs.map(stderr(of:)))")
        #expect(try ledgerSQL("SELECT count(DISTINCT source_id) || ' ' || count(*) FILTER (WHERE status = 'green') FROM runbook.runs JOIN runbook.sources USING (source_id)") == "8 8")
        for log in logs {
            let verify = try runbook(["audit", "verify", "--ledger", "--env", "team", "--dir", home.path], audit: log)
            #expect(verify.code == 0, "\(verify.stdout)\(verify.stderr)")
            #expect(!verify.stdout.contains("pending"), "\(verify.stdout)")
        }
    }

    @Test func everyKindOfLedgerTamperingIsNamed() throws {
        defer { _ = try? sandbox.psql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)") }
        try initLedger()
        let audit = Sandbox.auditPath()
        for _ in 0..<3 { #expect(try runbook(["run", "repair", "--env", "team", "--yes"], audit: audit).code == 0) }
        func verify() throws -> CLITests.Output { try runbook(["audit", "verify", "--ledger", "--env", "team", "--dir", home.path], audit: audit) }
        #expect(try verify().code == 0)
        // Append-only, unless someone with the table's ownership turns that off.
        #expect(throws: Sandbox.PSQLFailed.self) { try ledgerSQL("DELETE FROM runbook.records WHERE seq = 3") }
        try ledgerSQL("ALTER TABLE runbook.records DISABLE TRIGGER records_append_only")
        let run3 = try ledgerSQL("SELECT run_id FROM runbook.records WHERE seq = 3")
        // The second run's repair output: the record a cover-up would change.
        let seq = try ledgerSQL("SELECT seq FROM runbook.records WHERE event = 'step.ended' AND line LIKE '%fixed%' ORDER BY seq OFFSET 1 LIMIT 1")
        let run = try ledgerSQL("SELECT run_id FROM runbook.records WHERE seq = \(seq)")

        // A row's line rewritten (the hash column left as it was).
        try ledgerSQL("UPDATE runbook.records SET line = replace(line, 'fixed', 'FIXED') WHERE seq = \(seq)")
        var out = try verify()
        #expect(out.code == 1)
        #expect(out.stdout.contains("seq \(seq) (run \(run)): the ledger row was rewritten"), "\(out.stdout)")
        // Line and hash rewritten together: the next row's prev no longer matches.
        try ledgerSQL("UPDATE runbook.records SET hash = encode(sha256(convert_to(line, 'UTF8')), 'hex') WHERE seq = \(seq)")
        out = try verify()
        #expect(out.code == 1)
        #expect(out.stdout.contains("seq \(seq) (run \(run)): the ledger row differs from the local log's record, whose chain verifies"), "\(out.stdout)")
        // An auditor without the local log: the chain itself gives it away.
        let elsewhere = Sandbox.auditPath()
        out = try runbook(["audit", "verify", "--ledger", "--env", "team", "--dir", home.path], audit: elsewhere)
        #expect(out.code == 1)
        #expect(out.stdout.contains("seq \(seq): the ledger row was edited: its hash is not the prev that seq \(Int(seq)! + 1)"), "\(out.stdout)")
        // A row deleted.
        try ledgerSQL("DELETE FROM runbook.records WHERE seq = 3")
        out = try verify()
        #expect(out.stdout.contains("seq 3: the ledger row of seq 3 was deleted"), "\(out.stdout)")
        _ = run3
        // The local log edited: its own chain breaks, and it differs from the ledger.
        var text = try String(contentsOfFile: audit, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"status\":\"green\"", with: "\"status\":\"red\"")
        try text.write(toFile: audit, atomically: true, encoding: .utf8)
        out = try verify()
        #expect(out.code == 1)
        #expect(out.stdout.contains("TAMPERED: \(audit)"), "\(out.stdout)")
    }

    /// A new ed25519 key made by ssh-keygen in the project; its private key's path.
    func sshKey(_ name: String) throws -> String { try CLITests.sshKey(name, in: home) }

    /// Signs `text` with `key` in namespace runbook, as `ssh-keygen -Y sign` does for a checkpoint.
    func sign(_ text: String, key: String) throws -> String {
        let file = home.appendingPathComponent("to-sign-\(UUID().uuidString)").path
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let signer = Process()
        signer.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-keygen")
        signer.arguments = ["-Y", "sign", "-f", key, "-n", "runbook", file]
        signer.standardInput = FileHandle.nullDevice
        signer.standardError = FileHandle.nullDevice
        try signer.run()
        signer.waitUntilExit()
        #expect(signer.terminationStatus == 0)
        return try String(contentsOfFile: file + ".sig", encoding: .utf8)
    }

    /// Signed checkpoints reach the ledger: a run's at its end, one made while the ledger was
    /// down with `audit sync`, `audit checkpoint`'s at once; and a ledger checkpoint whose
    /// signature was replaced by one from a key no allowed signer holds is named.
    @Test func signedCheckpointsReachTheLedgerAndAForgedOneIsNamed() throws {
        defer { _ = try? sandbox.psql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)") }
        try initLedger()
        let alice = try sshKey("alice"), eve = try sshKey("eve")
        try write("environments/team.allowed_signers", "alice@example.com \(try String(contentsOfFile: alice + ".pub", encoding: .utf8))")
        try write("environments/team.yaml", """
            environment: team
            ledger: {url: "${RUNBOOK_LEDGER_URL}"}
            identity: {allowed_signers: environments/team.allowed_signers}
            secrets: [RUNBOOK_LEDGER_URL]
            """)
        let audit = Sandbox.auditPath()
        let noAgent = ["SSH_AUTH_SOCK": "", "RUNBOOK_SIGNING_KEY": ""]
        func checkpointsInLedger() throws -> Int { Int(try ledgerSQL("SELECT count(*) FROM runbook.checkpoints")) ?? -1 }
        func localCheckpoints() -> Int {
            ((try? String(contentsOfFile: audit + ".checkpoints", encoding: .utf8)) ?? "").split(separator: "\n").count
        }

        var out = try runbook(["run", "repair", "--env", "team", "--yes", "--key", alice], audit: audit, extra: noAgent)
        #expect(out.code == 0, "\(out.stdout)\(out.stderr)")
        #expect(try checkpointsInLedger() == 1)
        #expect(try ledgerSQL("SELECT principal FROM runbook.checkpoints") == "alice@example.com")

        // The ledger down: the run's checkpoint stays next to the log.
        let down = ledgerURL.replacingOccurrences(of: ":\(URL(string: ledgerURL)?.port ?? 0)/", with: ":1/")
        out = try runbook(["run", "repair", "--env", "team", "--yes", "--key", alice], audit: audit, extra: noAgent.merging(["RUNBOOK_LEDGER_URL": down]) { $1 })
        #expect(out.code == 0, "\(out.stdout)\(out.stderr)")
        #expect(localCheckpoints() == 2)
        #expect(try checkpointsInLedger() == 1)

        // `audit checkpoint` sends the records it covers and itself; `audit sync` the one left.
        out = try runbook(["audit", "checkpoint", "--env", "team", "--key", alice], audit: audit, extra: noAgent)
        #expect(out.code == 0, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.contains("checkpoint: in the ledger of team"), "\(out.stdout)\(out.stderr)")
        #expect(try checkpointsInLedger() == 2)
        out = try runbook(["audit", "sync", "--env", "team"], audit: audit)
        #expect(out.code == 0, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.contains("and 3 of its 3 signed checkpoints (1 sent now)"), "\(out.stdout)")
        #expect(try checkpointsInLedger() == 3)
        out = try runbook(["audit", "verify", "--ledger", "--env", "team"], audit: audit)
        #expect(out.code == 0, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.contains("3 of 3 checkpoints match their records"), "\(out.stdout)")

        // A checkpoint row whose signature was made by eve, who is no allowed signer, in
        // alice's name: the same fields, so only the signature tells.
        let row = try ledgerSQL("SELECT source_id, seq, hash, previous, principal, coalesce(run_id, '-'), signed_at FROM runbook.checkpoints ORDER BY seq LIMIT 1")
            .split(separator: "|").map(String.init)
        try #require(row.count == 7)
        let forged = Checkpoint(source: row[0], seq: Int(row[1])!, hash: row[2], previous: row[3], principal: row[4],
                                runID: row[5] == "-" ? nil : row[5], time: row[6])
        let signature = try sign(forged.signedText, key: eve)
        try ledgerSQL("ALTER TABLE runbook.checkpoints DISABLE TRIGGER checkpoints_append_only")
        try ledgerSQL("UPDATE runbook.checkpoints SET signature = '\(signature)' WHERE seq = \(forged.seq)")
        out = try runbook(["audit", "verify", "--ledger", "--env", "team"], audit: audit)
        #expect(out.code == 1, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.contains("seq \(forged.seq)\(forged.runID.map { " (run \($0))" } ?? ""): the checkpoint said to be signed by alice@example.com does not verify"), "\(out.stdout)")
    }
}
