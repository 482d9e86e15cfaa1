import Foundation
import Testing

/// Issue 19, tried as a hostile operator would, in the four-eyes project of ``ApprovalCLITests``:
/// a secret input is bound into the approved plan by a keyed hash (another secret voids the
/// approval; neither is ever shown), and an incident's author is the key's principal.
extension ApprovalCLITests {
    /// `keyed`: the gauge repair, limited by a secret input the way `... WHERE k = :secret` is.
    static let keyedRunbook = """
        runbook: keyed
        title: Gauge fix for one tenant
        inputs:
          tenant_key: {type: string, secret: true}
        steps:
          - check: error-rate
            sql: SELECT v AS error_rate FROM gauge
            thresholds:
              red: result.rows[0].error_rate > 10
          - action: repair
            when: steps.error-rate.status == "red"
            risk: high
            confirm: "Repair for the tenant?"
            sql: "UPDATE gauge SET v = 1 WHERE :k::text <> ''"
            params: {k: inputs.tenant_key}
          - check: after
            same-as: error-rate
        """

    /// The binary with extra variables (the plan key's file, say).
    func runbook(_ args: [String], extra: [String: String]) throws -> CLITests.Output {
        try sandbox.runbook(args + (args.first == "audit" ? ["--dir", home.path] : []), audit: audit, extra: ["APPROVALS_DB_URL": url, "SSH_AUTH_SOCK": "", "RUNBOOK_SIGNING_KEY": ""].merging(extra) { $1 },
                            dir: home)
    }

    /// A plan key file of 32 random bytes.
    func planKeyFile() throws -> String {
        let path = home.appendingPathComponent("plan.key").path
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func anotherSecretVoidsTheApprovalAndNeitherIsShown() throws {
        defer { drop() }
        try write("runbooks/keyed.yaml", Self.keyedRunbook)
        let keyed = ["RUNBOOK_PLAN_KEY_FILE": try planKeyFile()]
        let approvedSecret = "tenant-Secret-Approved-1", otherSecret = "tenant-Secret-Other-2"
        let asked = try runbook(["run", "keyed", "--env", "prod", "--key", key("alice"), "--input", "tenant_key=\(approvedSecret)"], extra: keyed)
        #expect(asked.code == 3, "\(asked.stdout)\(asked.stderr)")
        let id = try #require(asked.stdout.firstMatch(of: /apr-[0-9a-f]{10}/).map { String($0.output) })
        let approved = try runbook(["approve", id, "--env", "prod", "--key", key("bob")], extra: keyed)
        #expect(approved.code == 0, "\(approved.stderr)")
        #expect(try ledgerSQL("SELECT plan->>'secret_inputs' FROM runbook.approval_requests WHERE id = '\(id)'").hasPrefix("hmac-sha256:"))

        // Resumed with another secret: the approval is void, nothing runs.
        let swapped = try runbook(["run", "keyed", "--env", "prod", "--key", key("alice"), "--resume", id, "--input", "tenant_key=\(otherSecret)"],
                                  extra: keyed)
        #expect(swapped.code == 3, "\(swapped.stdout)\(swapped.stderr)")
        #expect(swapped.stdout.contains("secret inputs: not the ones approved"), "\(swapped.stdout)")
        #expect(try ledgerSQL("SELECT v FROM gauge") == "15", "the action ran with a secret nobody approved")

        // Neither secret is in any output, the ledger or the audit log.
        let ledger = try ledgerSQL("SELECT string_agg(plan::text || digest, ' ') FROM runbook.approval_requests")
            + (try ledgerSQL("SELECT string_agg(line, ' ') FROM runbook.records"))
        let shown = asked.stdout + asked.stderr + approved.stdout + approved.stderr + swapped.stdout + swapped.stderr + ledger
            + ((try? String(contentsOfFile: audit, encoding: .utf8)) ?? "")
        for secret in [approvedSecret, otherSecret] { #expect(!shown.contains(secret), "\(secret) shown") }

        // A fresh request with the approved secret, approved and resumed with it, runs.
        let again = try runbook(["run", "keyed", "--env", "prod", "--key", key("alice"), "--input", "tenant_key=\(approvedSecret)"], extra: keyed)
        let second = try #require(again.stdout.firstMatch(of: /apr-[0-9a-f]{10}/).map { String($0.output) })
        #expect(try runbook(["approve", second, "--env", "prod", "--key", key("bob")], extra: keyed).code == 0)
        let resumed = try runbook(["run", "keyed", "--env", "prod", "--key", key("alice"), "--resume", second, "--input", "tenant_key=\(approvedSecret)"],
                                  extra: keyed)
        #expect(resumed.code == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(try ledgerSQL("SELECT v FROM gauge") == "1")
    }

    @Test func withoutAPlanKeyASecretInputCannotBeApproved() throws {
        defer { drop() }
        try write("runbooks/keyed.yaml", Self.keyedRunbook)
        let out = try runbook(["run", "keyed", "--env", "prod", "--key", key("alice"), "--input", "tenant_key=whatever-Secret-3"],
                              extra: ["RUNBOOK_PLAN_KEY_FILE": ""])
        #expect(out.code == 2, "\(out.stdout)\(out.stderr)")
        #expect((out.stdout + out.stderr).contains("secret input (tenant_key) that an approval could not bind without a plan key: set RUNBOOK_PLAN_KEY_FILE"),
                "\(out.stdout)\(out.stderr)")
        #expect(try ledgerSQL("SELECT count(*) FROM runbook.approval_requests") == "0")
        #expect(try ledgerSQL("SELECT v FROM gauge") == "15")
        // A key too short to be one is refused before anything runs.
        let short = home.appendingPathComponent("short.key").path
        try Data("abc".utf8).write(to: URL(fileURLWithPath: short))
        let refused = try runbook(["run", "keyed", "--env", "prod", "--key", key("alice"), "--input", "tenant_key=x"], extra: ["RUNBOOK_PLAN_KEY_FILE": short])
        #expect(refused.code == 2)
        #expect(refused.stderr.contains("RUNBOOK_PLAN_KEY_FILE: \(short) holds 3 bytes; a plan key needs at least 32"), "\(refused.stderr)")
    }

    @Test func anIncidentIsAuthoredByTheKeysPrincipalNotByOperator() throws {
        defer { drop() }
        try FileManager.default.copyItem(at: CLITests.packageRoot.appendingPathComponent("templates"), to: home.appendingPathComponent("templates"))
        let anyone = try runbook(["incident", "open", "--env", "prod", "--title", "t", "--severity", "P3", "--operator", "bob@example.com"])
        #expect(anyone.code == 2, "without a key nobody is named: \(anyone.stdout)\(anyone.stderr)")
        #expect(anyone.stderr.contains("an incident's record needs your SSH key"), "\(anyone.stderr)")
        #expect(try ledgerSQL("SELECT count(*) FROM runbook.incidents") == "0")

        let open = try runbook(["incident", "open", "--env", "prod", "--title", "t", "--severity", "P3", "--key", key("alice")])
        #expect(open.code == 0, "\(open.stderr)")
        let id = open.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let resolved = try runbook(["incident", "resolve", id, "--env", "prod", "--key", key("carol"), "--operator", "anyone",
                                    "--root-cause", "r", "--resolution", "x", "--prevention", "p"])
        #expect(resolved.code == 0, "\(resolved.stderr)")
        #expect(resolved.stderr.contains("--operator anyone is not used"), "\(resolved.stderr)")
        #expect(try ledgerSQL("SELECT opened_by FROM runbook.incidents") == "alice@example.com")
        #expect(try ledgerSQL("SELECT string_agg(kind || ':' || author, ',' ORDER BY at, kind) FROM runbook.incident_events")
            .components(separatedBy: ",").allSatisfy { $0.hasSuffix("@example.com") && !$0.contains("anyone") })
        #expect(try ledgerSQL("SELECT author FROM runbook.incident_events WHERE kind = 'resolved'") == "carol@example.com")
        // Reading needs no key.
        #expect(try runbook(["incident", "list", "--env", "prod", "--all"]).code == 0)
    }
}
