import Foundation
import Testing

/// The runs of one runner share its connections (issue 19's burst target): the database
/// pool, the ledger pool and the event loop outlive each run, and a run's "active" mark, taken
/// on the runner's kept ledger connection, still lasts exactly as long as the run.
@Suite("runbook runner: the runs of one replica share its connections", .serialized)
struct RunnerSharedCLITests {
    let team: RunnerTeam

    init() throws {
        team = try RunnerTeam()
    }

    /// The runs marked active in the ledger now (their mark is a session advisory lock).
    func activeRuns() throws -> String {
        try team.ledgerSQL("""
            SELECT count(*) FROM runbook.runs r WHERE EXISTS (
                SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
                   AND l.classid::bigint = 1381322306 AND l.objid::bigint = (hashtext(r.run_id)::bigint + 4294967296) % 4294967296)
            """)
    }

    /// The replica's idle connections to the test's database by application name.
    func idleConnections(_ name: String) throws -> Int {
        Int(try team.ledgerSQL("""
            SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = '\(name)' AND state = 'idle'
            """)) ?? -1
    }

    @Test func twentyDryRunsAtOnceEachRecordedOnPooledConnections() throws {
        defer { team.drop() }
        let runner = try RunnerTeam.Replica(team: team, name: "a")
        defer { runner.stop() }
        let envelopes = try (0..<20).map { _ in try team.signedRequest(runbook: "probe", key: team.key("alice"), dryRun: true) }
        let results = Results()
        let url = runner.url
        DispatchQueue.concurrentPerform(iterations: envelopes.count) { i in
            let answer = try? RunnerTeam.post(envelopes[i], to: url + "/runs")
            results.add(i, answer.map { $0.status == 200 && $0.body.contains("\"exit\":0") ? 1 : 0 } ?? -1)
        }
        for i in envelopes.indices { #expect(results.statuses(i) == [1], "request \(i) ran and exited 0") }
        // Each run its own: its row, its request linked, its records, its own source.
        #expect(RunnerTeam.eventually {
            (try? team.ledgerSQL("""
                SELECT count(DISTINCT r.run_id) FROM runbook.runs r JOIN runbook.runner_requests q ON q.run_id = r.run_id
                 WHERE r.status = 'green' AND r.mode = 'dry-run'
                """)) == "20"
        }, "20 dry runs, each green, each of its own request")
        #expect(try team.ledgerSQL("SELECT count(DISTINCT source_id) FROM runbook.records WHERE event = 'run.ended'") == "20",
                "each run's records in the ledger, from its own audit log")
        #expect(try activeRuns() == "0", "no run is left marked active while the replica lives")
        // The connections outlive the runs, a few for all of them (a run on its own closes its
        // own at its end).
        let database = try idleConnections("runbook")
        let ledger = try idleConnections("runbook-ledger")
        #expect((1...10).contains(database), "the database pools stay open, at most 8 + 2: \(database)")
        #expect((1...6).contains(ledger), "the ledger pool (at most 4) and the kept connection stay open (and the sweeper's, a moment every few seconds): \(ledger)")
    }

    /// A run through the runner is marked active while it runs and not once it ended, on a
    /// replica that goes on living (the mark is on a connection the runner keeps).
    @Test func aRunIsActiveWhileItRunsAndNotAfter() throws {
        defer { team.drop() }
        let runner = try RunnerTeam.Replica(team: team, name: "a")
        defer { runner.stop() }
        let envelope = try team.signedRequest(runbook: "hold", key: team.key("alice"), inputs: ["seconds=4"])
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        let body = team.root.appendingPathComponent("hold.json")
        try envelope.write(to: body, atomically: true, encoding: .utf8)
        client.arguments = ["-s", "-o", "/dev/null", "-H", "Content-Type: application/json", "--data-binary", "@\(body.path)", runner.url + "/runs"]
        try client.run()
        defer { client.killAndReap() }
        #expect(RunnerTeam.eventually { (try? activeRuns()) == "1" }, "the run is active while it runs")
        #expect(RunnerTeam.eventually {
            (try? team.ledgerSQL("SELECT status FROM runbook.runs WHERE runbook = 'hold' AND ended_at IS NOT NULL")) == "green"
        }, "the run ended green")
        #expect(RunnerTeam.eventually { (try? activeRuns()) == "0" }, "and is no longer active, the replica still up")
        #expect(try team.ledgerSQL("SELECT count(*) FROM runbook.runs WHERE runbook = 'hold'") == "1")
    }
}
