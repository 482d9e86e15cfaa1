import Foundation
import Testing

/// Least privilege, real (issue 19): the sandbox's read-only credentials, tried as an operator
/// who holds only them. The ETL database's reader diagnoses and cannot repair; the ledger's
/// reader reads runs and cannot write a decision or rewrite a run; the API's read-only token
/// reads and cannot act.
@Suite("Least privilege: read-only roles and token")
struct LeastPrivilegeCLITests {
    let sandbox: Sandbox
    let home: URL
    let audit: String

    init() throws {
        sandbox = try Sandbox.current()
        home = FileManager.default.temporaryDirectory.appendingPathComponent("least-\(UUID().uuidString)")
        for d in ["runbooks", "environments"] {
            try FileManager.default.createDirectory(at: home.appendingPathComponent(d), withIntermediateDirectories: true)
        }
        audit = home.appendingPathComponent("audit.jsonl").path
    }

    func write(_ path: String, _ text: String) throws {
        try text.write(to: home.appendingPathComponent(path), atomically: true, encoding: .utf8)
    }

    func runbook(_ args: [String], extra: [String: String] = [:]) throws -> CLITests.Output {
        try sandbox.runbook(args + (args.first == "audit" ? ["--dir", home.path] : []), audit: audit,
                            extra: ["SSH_AUTH_SOCK": "", "RUNBOOK_SIGNING_KEY": ""].merging(extra) { $1 }, dir: home)
    }

    @Test func theETLReaderDiagnosesAndALiveRunOrAWriteIsRefused() throws {
        let reader = try Sandbox.variable("ETL_READER_DATABASE_URL")
        try write("environments/ops.yaml", """
            environment: ops
            database: {url: "${READER_URL}"}
            secrets: [READER_URL]
            """)
        try write("runbooks/touch.yaml", """
            runbook: touch
            title: Diagnose, then touch
            steps:
              - check: files
                sql: SELECT count(*) AS n FROM etl_file
              - action: touch
                risk: low
                confirm: "Touch?"
                sql: UPDATE etl_file SET updated_at = updated_at WHERE false
            """)
        // Diagnosis works with it.
        let dry = try runbook(["run", "touch", "--env", "ops", "--dry-run", "--format", "json"], extra: ["READER_URL": reader])
        #expect(dry.code == 0, "\(dry.stdout)\(dry.stderr)")
        #expect(Sandbox.statuses(try Sandbox.report(dry)) == ["files": "green", "touch": "planned"], "\(dry.stdout)")
        // A live run is refused: the run lock (a row the run writes) already needs a writer,
        // and nothing runs.
        let live = try runbook(["run", "touch", "--env", "ops", "--yes"], extra: ["READER_URL": reader])
        #expect(live.code == 4, "\(live.stdout)\(live.stderr)")
        #expect(live.stderr.contains("permission denied") && live.stderr.contains("nothing was run"), "\(live.stderr)")
        #expect(!(live.stdout + live.stderr + dry.stdout + dry.stderr).contains(reader))
        // And the action's statement itself, sent with the reader's login.
        let asReader = Sandbox(databaseURL: reader, apiURL: sandbox.apiURL, token: sandbox.token, logDir: sandbox.logDir)
        do {
            _ = try asReader.psql("UPDATE etl_file SET updated_at = updated_at WHERE false")
            Issue.record("the ETL reader could UPDATE etl_file")
        } catch let failed as Sandbox.PSQLFailed {
            #expect(failed.message.contains("permission denied for table etl_file"), "\(failed.message)")
        }
    }

    @Test func theLedgersReaderReadsAndCannotWrite() throws {
        let (database, owner) = try sandbox.newDatabase("leastledger")
        defer { _ = try? sandbox.psql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)") }
        let reader = Sandbox.url(try Sandbox.variable("RUNBOOK_LEDGER_READER_URL"), database: database)
        try write("environments/owner.yaml", "environment: owner\nledger: {url: \"${OWNER_URL}\"}\nsecrets: [OWNER_URL]\n")
        try write("environments/reader.yaml", "environment: reader\nledger: {url: \"${READER_URL}\"}\nsecrets: [READER_URL]\n")
        try write("runbooks/hello.yaml", "runbook: hello\ntitle: Hello\nsteps:\n  - check: hi\n    shell: [echo, hi]\n")
        let urls = ["OWNER_URL": owner, "READER_URL": reader]
        let initialized = try runbook(["ledger", "init", "--env", "owner"], extra: urls)
        #expect(initialized.code == 0, "\(initialized.stderr)")
        #expect(initialized.stdout.contains("role runbook_reader: SELECT on runbook.*"), "\(initialized.stdout)")
        #expect(initialized.stdout.contains("role runbook_writer: SELECT, INSERT, UPDATE, DELETE on runbook.*"), "\(initialized.stdout)")
        let run = try runbook(["run", "hello", "--env", "owner", "--dry-run"], extra: urls)
        #expect(run.code == 0, "\(run.stdout)\(run.stderr)")

        // Reading works with the reader's login...
        let runs = try runbook(["runs", "--env", "reader", "--all-environments"], extra: urls)
        #expect(runs.code == 0, "\(runs.stderr)")
        #expect(runs.stdout.contains("hello"), "\(runs.stdout)")
        let verify = try runbook(["audit", "verify", "--ledger", "--env", "reader"], extra: urls)
        #expect(verify.code == 0, "\(verify.stdout)\(verify.stderr)")
        // ...and no write does.
        let asReader = Sandbox(databaseURL: reader, apiURL: sandbox.apiURL, token: sandbox.token, logDir: sandbox.logDir)
        asReader.expectPermissionDenied(["UPDATE runbook.runs SET operator = 'bob', status = 'green'",
                                         "INSERT INTO runbook.approval_decisions (request_id, approver, decision, signature) VALUES ('apr-0', 'bob', 'approved', 'x')",
                                         "UPDATE runbook.approval_requests SET status = 'approved'",
                                         "INSERT INTO runbook.records (source_id, seq, hash, prev, run_id, event, ts, line) VALUES ('s', 1, 'h', 'p', 'r', 'e', now(), '{}')"],
            who: "the ledger's reader")
        #expect(try asReader.psql("SELECT operator FROM runbook.runs") == (try Sandbox(databaseURL: owner, apiURL: "", token: "", logDir: "").psql("SELECT operator FROM runbook.runs")))
    }

    @Test func theAPIsReadOnlyTokenReadsAndCannotAct() throws {
        let read = try Sandbox.variable("ETL_API_READ_TOKEN")
        func status(_ method: String, _ path: String, token: String) throws -> String {
            try Sandbox.output(["/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", method,
                                "-H", "Authorization: Bearer \(token)", sandbox.apiURL + path])
        }
        #expect(try status("GET", "/files?limit=1", token: read) == "200")
        #expect(try status("GET", "/dlq?status=unresolved&limit=1", token: read) == "200")
        #expect(try status("POST", "/dlq/resolve-transient", token: read) == "403")
        #expect(try status("POST", "/files/reprocess?error=connection", token: read) == "403")
        #expect(try status("GET", "/files?limit=1", token: sandbox.token) == "200")
    }
}
