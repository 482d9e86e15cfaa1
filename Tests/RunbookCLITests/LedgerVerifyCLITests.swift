import Foundation
import Testing

/// `audit verify --ledger` as an auditor runs it (issue 19), in the four-eyes project of
/// ``ApprovalCLITests``: each row of the table that verify used to call intact.
extension ApprovalCLITests {
    func verifyLedger(extra: [String: String] = [:]) throws -> CLITests.Output {
        try runbook(["audit", "verify", "--ledger", "--env", "prod"], extra: extra)
    }

    @Test func anEditedRunRowIsReported() throws {
        defer { drop() }
        let dry = try runbook(["run", "fix", "--env", "prod", "--dry-run", "--key", key("alice")])
        #expect(dry.code == 1, "\(dry.stdout)\(dry.stderr)")
        #expect(try verifyLedger().code == 0)
        try ledgerSQL("UPDATE runbook.runs SET operator = 'bob@example.com', status = 'green'")
        let verify = try verifyLedger()
        #expect(verify.code == 1, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("runbook.runs says operator bob@example.com, its records say alice@example.com; status green, its records say red"),
                "\(verify.stdout)")
    }

    @Test func aUsedRequestSetBackToApprovedIsReported() throws {
        defer { drop() }
        let id = try request()
        #expect(try approve(id, by: "bob").code == 0)
        let run = try resume(id)
        #expect(run.code == 0, "\(run.stdout)\(run.stderr)")
        #expect(try verifyLedger().code == 0)
        try ledgerSQL("UPDATE runbook.approval_requests SET status = 'approved' WHERE id = '\(id)'")
        let verify = try verifyLedger()
        #expect(verify.code == 1, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("approval request \(id) is 'approved' in the ledger, but its records say run"), "\(verify.stdout)")
    }

    @Test func aLiveRunThatBypassedTheRunnerIsUnenforced() throws {
        defer { drop() }
        // alice runs with a copy of the environment file that names no runner...
        let live = try runbook(["run", "fix", "--env", "prod", "--key", key("alice")])
        #expect(live.code == 3, "\(live.stdout)\(live.stderr)")
        #expect(try verifyLedger().code == 0)
        // ...the team's file (from git) says production runs through the runner.
        try write("environments/prod.yaml", """
            environment: prod
            database: {url: "${APPROVALS_DB_URL}"}
            ledger: {url: "${APPROVALS_DB_URL}"}
            identity: {allowed_signers: environments/prod.allowed_signers}
            approvals: {high: 1, medium: 0, approvers: [alice@example.com, bob@example.com, carol@example.com]}
            runner: {url: "http://127.0.0.1:9", principal: runner@example.com}
            secrets: [APPROVALS_DB_URL]
            """)
        let verify = try verifyLedger()
        #expect(verify.code == 1, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("UNENFORCED: ledger"), "\(verify.stdout)")
        #expect(verify.stdout.contains("of prod by alice@example.com carries no checkpoint signed by the runner (runner@example.com)"), "\(verify.stdout)")
    }

    @Test func aLocalLogCutBehindTheLedgerIsTruncated() throws {
        defer { drop() }
        for _ in 0..<2 {
            let dry = try runbook(["run", "fix", "--env", "prod", "--dry-run"])
            #expect(dry.code == 1, "\(dry.stdout)\(dry.stderr)")
        }
        #expect(try verifyLedger().code == 0)
        let lines = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n")
        try (lines.dropLast(3).joined(separator: "\n") + "\n").write(toFile: audit, atomically: true, encoding: .utf8)
        let verify = try verifyLedger()
        #expect(verify.code == 1, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("was truncated: it ends at seq \(lines.count - 3), the ledger holds its records up to seq \(lines.count)"),
                "\(verify.stdout)")
    }

    @Test func theAuditorsAllowedSignersAreTheTeamsNotTheCallers() throws {
        defer { drop() }
        try write("environments/prod.yaml", """
            environment: prod
            database: {url: "${APPROVALS_DB_URL}"}
            ledger: {url: "${APPROVALS_DB_URL}"}
            identity: {allowed_signers: "${RUNBOOK_ALLOWED_SIGNERS:-environments/prod.allowed_signers}"}
            approvals: {high: 1, medium: 0, approvers: [alice@example.com, bob@example.com, carol@example.com]}
            secrets: [APPROVALS_DB_URL]
            """)
        // alice's own file, where her second key is "bob".
        let second = try CLITests.sshKey("alice2", in: home)
        let own = home.appendingPathComponent("mine.allowed_signers").path
        try ("alice@example.com " + (try String(contentsOfFile: key("alice") + ".pub", encoding: .utf8))
            + "bob@example.com " + (try String(contentsOfFile: second + ".pub", encoding: .utf8))).write(toFile: own, atomically: true, encoding: .utf8)
        let mine = ["RUNBOOK_ALLOWED_SIGNERS": own]
        let asked = try runbook(["run", "fix", "--env", "prod", "--key", key("alice")], extra: mine)
        let id = try #require(asked.stdout.firstMatch(of: /apr-[0-9a-f]{10}/).map { String($0.output) }, "\(asked.stdout)\(asked.stderr)")
        #expect(try runbook(["approve", id, "--env", "prod", "--key", second], extra: mine).code == 0)
        let ran = try runbook(["run", "fix", "--env", "prod", "--key", key("alice"), "--resume", id], extra: mine)
        #expect(ran.code == 0, "\(ran.stdout)\(ran.stderr)")
        // The auditor's verify, even with alice's variable set, checks the team's file.
        let verify = try verifyLedger(extra: mine)
        #expect(verify.code == 1, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("decision by bob@example.com does not verify"), "\(verify.stdout)")
    }
}
