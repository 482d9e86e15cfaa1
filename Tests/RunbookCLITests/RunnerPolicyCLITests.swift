import Foundation
import Testing

/// The runner's pinned policy under a burst: requests share the hash of its files (one per
/// burst), yet a file changed before a request is always seen by that request's check.
extension RunnerCLITests {
    @Test func aBurstRunsAndAChangedFileIsSeenByTheNextRequest() throws {
        defer { team.drop() }
        let runner = try RunnerTeam.Replica(team: team, name: "a")
        defer { runner.stop() }
        let envelopes = try (0..<12).map { _ in try team.signedRequest(runbook: "probe", key: team.key("alice")) }
        let results = Results()
        let url = runner.url + "/runs"
        DispatchQueue.concurrentPerform(iterations: envelopes.count) { i in
            results.add(i, (try? RunnerTeam.post(envelopes[i], to: url))?.status ?? 0)
        }
        for i in envelopes.indices { #expect(results.statuses(i) == [200], "request \(i): \(results.statuses(i))") }
        // One byte more in one of its runbooks: the next request is refused, nothing runs.
        let probe = team.runnerHome.appendingPathComponent("runbooks/probe.yaml")
        try (try String(contentsOf: probe, encoding: .utf8) + "\n").write(to: probe, atomically: true, encoding: .utf8)
        let after = try RunnerTeam.post(try team.signedRequest(runbook: "probe", key: team.key("alice")), to: runner.url + "/runs")
        #expect(after.status == 503, "\(after.body)")
        #expect(after.body.contains("the runner's files changed since it started"), "\(after.body)")
        #expect(try team.ledgerSQL("SELECT count(*) FROM runbook.runner_requests") == "12")
    }
}
