import Foundation
import Testing

/// `audit verify --ledger` lists each policy change (issue 19): a runner started with other
/// files than the start before, with when, which replica, its principal and the files.
@Suite("runner: policy changes in audit verify (issue 19)", .serialized)
struct RunnerPolicyTests {
    @Test func twoStartsOnDifferentFilesAreListedWithTheFileThatChanged() throws {
        let team = try RunnerTeam()
        defer { team.drop() }
        let a = try RunnerTeam.Replica(team: team, name: "a")
        a.stop()
        // Same files: a restart, not a change.
        let again = try RunnerTeam.Replica(team: team, name: "a2")
        again.stop()
        try team.write(team.runnerHome, "runbooks/probe.yaml", RunnerTeam.probeRunbook.replacingOccurrences(of: "SELECT 1 AS ok", with: "SELECT 2 AS ok"))
        let b = try RunnerTeam.Replica(team: team, name: "b")
        b.stop()
        #expect(try team.ledgerSQL("SELECT count(*) FROM runbook.runner_policies") == "3")
        let digests = try team.ledgerSQL("SELECT string_agg(digest, ' ' ORDER BY id) FROM runbook.runner_policies").split(separator: " ").map(String.init)
        let verify = try team.sandbox.runbook(["audit", "verify", "--ledger", "--env", "prod", "--dir", team.runnerHome.path], audit: team.aliceAudit,
                                              extra: ["PROD_DB_URL": team.url], dir: team.runnerHome)
        let lines = verify.stdout.split(separator: "\n").filter { $0.hasPrefix("policy: ") }
        #expect(lines.count == 2, "\(verify.stdout)\(verify.stderr)")
        #expect(lines.first?.contains("pinned \(digests[0]) (the first policy pinned") == true, "\(lines)")
        #expect(lines.last?.contains("pinned \(digests[2]) (was \(digests[0])): changed runbooks/probe.yaml") == true, "\(lines)")
        #expect(lines.last?.contains("(runner@example.com)") == true, "\(lines)")
        #expect(lines.allSatisfy { $0.contains(" UTC: replica ") }, "\(lines)")
    }
}
