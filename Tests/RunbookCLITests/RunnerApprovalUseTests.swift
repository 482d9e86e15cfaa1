import Foundation
import Synchronization
import Testing

/// An approved request is used in the transaction that records its action's start (issue 19):
/// two resumes at once through two runner replicas run the action once; a use that another
/// process committed first is refused by that transaction, even after the gate's own check
/// passed; only the requester uses a request.
@Suite("runner: an approval used with its action's start (issue 19)", .serialized)
struct RunnerApprovalUseTests {
    let team: RunnerTeam

    /// Counts the repairs: `runs` goes up by one each time the action runs, and the finding
    /// (`v`) holds still, so every resume computes the digest that was approved.
    static let countRunbook = """
        runbook: count
        title: Count the repairs
        steps:
          - check: error-rate
            sql: SELECT v AS error_rate FROM gauge
            thresholds:
              red: result.rows[0].error_rate > 10
          - action: repair
            when: steps.error-rate.status == "red"
            risk: high
            confirm: "Repair at ${{ steps.error-rate.result.rows[0].error_rate }} %?"
            sql: UPDATE gauge SET runs = runs + 1
        """

    init() throws {
        team = try RunnerTeam()
        for home in [team.runnerHome, team.aliceHome] { try team.write(home, "runbooks/count.yaml", Self.countRunbook) }
        try team.ledgerSQL("ALTER TABLE gauge ADD COLUMN runs int NOT NULL DEFAULT 0")
    }

    func repairs() throws -> String { try team.ledgerSQL("SELECT runs FROM gauge") }

    /// Alice asks through `runner`, Bob approves: the request id.
    func approvedRequest(_ runner: RunnerTeam.Replica) throws -> String {
        let asked = try team.operatorRun(["run", "count", "--env", "prod", "--key", team.key("alice")], runner: runner.url)
        #expect(asked.code == 3, "\(asked.stdout)\(asked.stderr)")
        let id = try #require(asked.stdout.firstMatch(of: /apr-[0-9a-f]{10}/).map { String($0.output) })
        let approved = try team.operatorRun(["approve", id, "--env", "prod", "--key", team.key("bob")], runner: runner.url)
        #expect(approved.code == 0, "\(approved.stdout)\(approved.stderr)")
        return id
    }

    func resume(_ id: String, as who: String = "alice", through runner: String) throws -> CLITests.Output {
        try team.operatorRun(["run", "count", "--env", "prod", "--key", team.key(who), "--resume", id], runner: runner)
    }

    @Test func twoResumesAtOnceThroughTwoReplicasRunTheActionOnce() throws {
        defer { team.drop() }
        let a = try RunnerTeam.Replica(team: team, name: "a")
        defer { a.stop() }
        let b = try RunnerTeam.Replica(team: team, name: "b")
        defer { b.stop() }
        let id = try approvedRequest(a)
        let outputs = Outputs()
        let urls = [a.url, b.url]
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            outputs.add(try? resume(id, through: urls[i]))
        }
        let all = outputs.all
        #expect(all.count == 2)
        // The winner repairs (exit 1: its finding stays red, the gauge's `v` is not what it moves).
        #expect(all.map(\.code).sorted() == [1, 2], "\(all.map { "\($0.code): \($0.stdout)\($0.stderr)" })")
        #expect(all.filter { $0.stdout.contains("✔ succeeded          repair") }.count == 1)
        let refused = try #require(all.first { $0.code == 2 })
        #expect(refused.stdout.contains("\(id) is used") || refused.stdout.contains("was used by run")
                    || refused.stderr.contains("\(id) is used") || refused.stderr.contains("was used by run"),
                "the second resume says the request was used: \(refused.stdout)\(refused.stderr)")
        #expect(try repairs() == "1", "the action ran once")
        #expect(try team.ledgerSQL("SELECT count(*) FROM runbook.approval_uses WHERE request_id = '\(id)'") == "1")
        // The use and the action's start are in the ledger together, for the same run.
        #expect(try team.ledgerSQL("""
            SELECT count(*) FROM runbook.approval_uses u JOIN runbook.records r ON r.run_id = u.run_id
             WHERE u.request_id = '\(id)' AND r.event = 'step.started' AND r.line::jsonb->>'step' = 'repair'
            """) == "1")
        // Bob, who approved it, cannot use it either.
        let bob = try resume(id, as: "bob", through: a.url)
        #expect(bob.code == 2, "\(bob.stdout)\(bob.stderr)")
        #expect(try repairs() == "1")
    }

    /// Another process (a second replica, or anyone with the ledger's owner URL) uses the
    /// request while this run is between its gate's check and the action: the gate's check
    /// passed, and the transaction that records the action's start refuses the use. Nothing
    /// runs, and `audit verify --ledger` does not count the refused run as a use.
    @Test func aUseCommittedFirstElsewhereIsRefusedByTheStartsTransaction() throws {
        defer { team.drop() }
        let runner = try RunnerTeam.Replica(team: team, name: "a")
        defer { runner.stop() }
        let id = try approvedRequest(runner)
        // An uncommitted use: invisible to the gate's check, it holds the request's key.
        let other = try HeldTransaction(url: team.url, sql: """
            BEGIN;
            INSERT INTO runbook.approval_uses (request_id, run_id, requester) VALUES ('\(id)', 'elsewhere', 'alice@example.com');
            """)
        defer { other.end() }
        let outputs = Outputs()
        let done = DispatchSemaphore(value: 0)
        let url = runner.url
        DispatchQueue.global().async {
            outputs.add(try? resume(id, through: url))
            done.signal()
        }
        #expect(RunnerTeam.eventually {
            (try? team.ledgerSQL("SELECT count(*) > 0 FROM pg_stat_activity WHERE wait_event = 'transactionid' AND datname = current_database()")) == "t"
        }, "the run's use waits for the other's")
        other.send("COMMIT;\n")
        #expect(done.wait(timeout: .now() + 120) == .success)
        let out = try #require(outputs.all.first)
        #expect(out.code == 2, "\(out.stdout)\(out.stderr)")
        #expect((out.stdout + out.stderr).contains("'repair' was not run: \(id) was used by run elsewhere meanwhile"), "\(out.stdout)\(out.stderr)")
        #expect(try repairs() == "0", "nothing ran")
        #expect(try team.ledgerSQL("SELECT run_id FROM runbook.approval_uses WHERE request_id = '\(id)'") == "elsewhere")
        // Its records (the start, then its end, declined) reach the ledger with the run's end.
        #expect(RunnerTeam.eventually {
            (try? team.ledgerSQL("""
                SELECT count(*) FROM runbook.records WHERE event = 'step.ended' AND line::jsonb->>'step' = 'repair' AND line::jsonb->>'status' = 'declined'
                """)) == "1"
        })
        let verify = try team.sandbox.runbook(["audit", "verify", "--ledger", "--env", "prod", "--dir", team.runnerHome.path], audit: team.aliceAudit,
                                              extra: ["PROD_DB_URL": team.url], dir: team.runnerHome)
        #expect(!(verify.stdout + verify.stderr).contains("approval request \(id) was used"), "\(verify.stdout)\(verify.stderr)")
        #expect(!(verify.stdout + verify.stderr).contains("approval request \(id) is"), "\(verify.stdout)\(verify.stderr)")
    }
}

/// CLI outputs gathered from concurrent threads.
final class Outputs: Sendable {
    private let outputs = Mutex<[CLITests.Output]>([])

    func add(_ output: CLITests.Output?) { if let output { outputs.withLock { $0.append(output) } } }
    var all: [CLITests.Output] { outputs.withLock { $0 } }
}

/// A `psql` session kept open, fed SQL on its standard input: a transaction another process
/// holds.
final class HeldTransaction {
    let process = Process()
    let input = Pipe()

    init(url: String, sql: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = [url, "-X", "-q", "-v", "ON_ERROR_STOP=1"]
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        send(sql + "\n")
    }

    func send(_ text: String) { input.fileHandleForWriting.write(Data(text.utf8)) }

    func end() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
