import Foundation
import Testing

/// The team's runner end to end (issue 19): the built binary as runner replicas and as the
/// operators' client, real keys, a ledger in the sandbox's PostgreSQL. Each bypass an operator
/// had with her own process, files and flags is tried through the runner, and refused.
@Suite("runbook runner (issue 19)", .serialized)
struct RunnerCLITests {
    let team: RunnerTeam

    init() throws {
        team = try RunnerTeam()
    }

    func gauge() throws -> String { try team.ledgerSQL("SELECT v FROM gauge") }

    /// A live run by alice through the runner that stops at the four-eyes gate; its request id.
    func request(_ runner: RunnerTeam.Replica) throws -> String {
        let out = try team.operatorRun(["run", "fix", "--env", "prod", "--key", team.key("alice")], runner: runner.url)
        #expect(out.code == 3, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.contains("approval needed: 'repair' (high risk) needs 1 approval by someone other than alice@example.com"), "\(out.stdout)")
        #expect(try gauge() == "15", "nothing ran at the gate")
        return try #require(out.stdout.firstMatch(of: /apr-[0-9a-f]{10}/).map { String($0.output) })
    }

    @Test func liveRunStreamsLikeALocalRunAndIsRecordedAsTheRunnersAndTheOperators() throws {
        defer { team.drop() }
        let runner = try RunnerTeam.Replica(team: team, name: "a")
        defer { runner.stop() }
        let text = try team.operatorRun(["run", "probe", "--env", "prod", "--key", team.key("alice")], runner: runner.url)
        #expect(text.code == 0, "\(text.stdout)\(text.stderr)")
        #expect(text.stdout.contains("one"), "\(text.stdout)")
        #expect(text.stdout.contains("checkpoint: seq"), "\(text.stdout)")
        #expect(text.stdout.contains("signed by runner@example.com"), "\(text.stdout)")
        let junit = team.root.appendingPathComponent("probe.xml").path
        let json = try team.operatorRun(["run", "probe", "--env", "prod", "--key", team.key("alice"), "--format", "json", "--junit", junit], runner: runner.url)
        #expect(json.code == 0, "\(json.stderr)")
        let report = try Sandbox.report(json)
        #expect(report["status"] as? String == "green")
        #expect(report["mode"] as? String == "live")
        #expect(((try? String(contentsOfFile: junit, encoding: .utf8)) ?? "").contains("<testsuite"), "the JUnit report came back")
        // Recorded by the runner, as alice (the principal it verified), with the runner's checkpoint.
        let runID = try #require(report["run_id"] as? String)
        #expect(try team.ledgerSQL("SELECT operator FROM runbook.runs WHERE run_id = '\(runID)'") == "alice@example.com")
        #expect(try team.ledgerSQL("SELECT principal FROM runbook.runner_requests WHERE run_id = '\(runID)'") == "alice@example.com")
        #expect(try team.ledgerSQL("SELECT count(*) FROM runbook.checkpoints WHERE run_id = '\(runID)' AND principal = 'runner@example.com'") == "1")
        #expect(!FileManager.default.fileExists(atPath: team.aliceAudit) || !((try? String(contentsOfFile: team.aliceAudit, encoding: .utf8)) ?? "").contains(runID),
                "the run is the runner's, not in alice's log")
        #expect(try team.ledgerSQL("SELECT count(*) FROM runbook.runner_policies WHERE digest LIKE 'sha256:%'") == "1", "the policy pinned at start")
        // A dry run stays on the operator's machine.
        let dry = try team.operatorRun(["run", "probe", "--env", "prod", "--dry-run", "--key", team.key("alice")], runner: runner.url)
        #expect(dry.code == 0, "\(dry.stderr)")
        #expect(try team.ledgerSQL("SELECT count(*) FROM runbook.runner_requests") == "2")
    }

    @Test func unreachableRunnerExits4AndNothingRuns() throws {
        defer { team.drop() }
        let out = try team.operatorRun(["run", "fix", "--env", "prod", "--key", team.key("alice"), "--approve", "repair"], runner: "http://127.0.0.1:9")
        #expect(out.code == 4, "\(out.stdout)\(out.stderr)")
        #expect(out.stderr.contains("cannot be reached"), "\(out.stderr)")
        #expect(try gauge() == "15")
    }

    /// (a) Her copy of the environment without `approvals:`, and `--approve`: the runner's
    /// policy still gates the action (today: it ran).
    @Test func herEnvironmentWithoutApprovalsStillStopsAtTheRunnersGate() throws {
        defer { team.drop() }
        let runner = try RunnerTeam.Replica(team: team, name: "a")
        defer { runner.stop() }
        try team.aliceEnvironment(approvals: nil)
        let out = try team.operatorRun(["run", "fix", "--env", "prod", "--key", team.key("alice"), "--approve", "repair", "--yes"], runner: runner.url)
        #expect(out.code == 3, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.contains("approval needed: 'repair'"), "\(out.stdout)")
        #expect(try gauge() == "15", "the repair did not run")
    }

    /// (b) Her own allowed_signers, where her second key is "bob": she approves her own
    /// request; the runner checks every request against its own file, where that key is
    /// nobody's, and records nothing (today: it ran).
    @Test func herOwnAllowedSignersDoNotMakeHerSecondKeyBob() throws {
        defer { team.drop() }
        let runner = try RunnerTeam.Replica(team: team, name: "a")
        defer { runner.stop() }
        let id = try request(runner)
        let second = try CLITests.sshKey("alice2", in: team.keys)
        let forged = "bob@example.com " + (try String(contentsOfFile: second + ".pub", encoding: .utf8))
            + (try String(contentsOfFile: team.aliceHome.appendingPathComponent("environments/prod.allowed_signers").path, encoding: .utf8))
                .split(separator: "\n").filter { !$0.hasPrefix("bob@") }.map { $0 + "\n" }.joined()
        let mine = team.root.appendingPathComponent("alice-signers")
        try forged.write(to: mine, atomically: true, encoding: .utf8)
        // Her approval goes to the runner, signed with her second key: a key its own
        // allowed_signers name nobody by, refused before anything is recorded.
        let approved = try team.operatorRun(["approve", id, "--env", "prod", "--key", second], runner: runner.url,
                                            extra: ["RUNBOOK_ALLOWED_SIGNERS": mine.path])
        #expect(approved.code == 2, "\(approved.stdout)\(approved.stderr)")
        #expect(approved.stderr.contains("is not signed (namespace runbook-request) by a principal of the runner's allowed_signers"), "\(approved.stderr)")
        #expect(try team.ledgerSQL("SELECT count(*) FROM runbook.approval_decisions") == "0")
        let resumed = try team.operatorRun(["run", "fix", "--env", "prod", "--key", team.key("alice"), "--resume", id], runner: runner.url,
                                           extra: ["RUNBOOK_ALLOWED_SIGNERS": mine.path])
        #expect(resumed.code != 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(try gauge() == "15", "the forged approval did not count")
    }

    /// (c) A used request set back to `approved` in the ledger and resumed again; and a
    /// request resumed by someone other than its requester: both refused (today: it ran twice).
    @Test func aUsedRequestIsNeverResumedAgainAndOnlyItsRequesterResumesIt() throws {
        defer { team.drop() }
        let runner = try RunnerTeam.Replica(team: team, name: "a")
        defer { runner.stop() }
        let id = try request(runner)
        let approved = try team.operatorRun(["approve", id, "--env", "prod", "--key", team.key("bob")], runner: runner.url)
        #expect(approved.code == 0, "\(approved.stdout)\(approved.stderr)")
        let bob = try team.operatorRun(["run", "fix", "--env", "prod", "--key", team.key("bob"), "--resume", id], runner: runner.url)
        #expect(bob.code == 2, "\(bob.stdout)\(bob.stderr)")
        #expect(bob.stderr.contains("only its requester resumes it"), "\(bob.stderr)")
        #expect(try gauge() == "15")
        let first = try team.operatorRun(["run", "fix", "--env", "prod", "--key", team.key("alice"), "--resume", id], runner: runner.url)
        #expect(first.code == 0, "\(first.stdout)\(first.stderr)")
        #expect(try gauge() == "1")
        #expect(try team.ledgerSQL("SELECT requester FROM runbook.approval_uses WHERE request_id = '\(id)'") == "alice@example.com")
        // She holds the ledger's URL: the status goes back, the gauge too.
        try team.ledgerSQL("UPDATE gauge SET v = 15")
        try team.ledgerSQL("UPDATE runbook.approval_requests SET status = 'approved' WHERE id = '\(id)'")
        let again = try team.operatorRun(["run", "fix", "--env", "prod", "--key", team.key("alice"), "--resume", id], runner: runner.url)
        #expect(again.code == 2, "\(again.stdout)\(again.stderr)")
        #expect(again.stderr.contains("\(id) is used"), "\(again.stderr)")
        #expect(try gauge() == "15", "the repair ran once")
    }

    /// (d) A signed request sent twice runs once; a signature in another namespace, by a key
    /// the runner does not know, or too old, runs nothing.
    @Test func aReplayedOrForeignRequestIsRefused() throws {
        defer { team.drop() }
        let runner = try RunnerTeam.Replica(team: team, name: "a")
        defer { runner.stop() }
        let envelope = try team.signedRequest(runbook: "probe", key: team.key("alice"))
        let first = try RunnerTeam.post(envelope, to: runner.url + "/runs")
        #expect(first.status == 200, "\(first.body)")
        #expect(first.body.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("{\"exit\":0}"), "\(first.body)")
        let replay = try RunnerTeam.post(envelope, to: runner.url + "/runs")
        #expect(replay.status == 409, "\(replay.body)")
        #expect(replay.body.contains("a replay"), "\(replay.body)")
        #expect(replay.body.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("{\"exit\":2}"), "\(replay.body)")

        let checkpointNamespace = try team.signedRequest(runbook: "probe", key: team.key("alice"), namespace: "runbook")
        #expect(try RunnerTeam.post(checkpointNamespace, to: runner.url + "/runs").status == 403)
        let eve = try CLITests.sshKey("eve", in: team.keys)
        #expect(try RunnerTeam.post(try team.signedRequest(runbook: "probe", key: eve), to: runner.url + "/runs").status == 403)
        let old = try team.signedRequest(runbook: "probe", key: team.key("alice"), time: Int(Date().timeIntervalSince1970) - 3600)
        #expect(try RunnerTeam.post(old, to: runner.url + "/runs").status == 409)
        #expect(try team.ledgerSQL("SELECT count(*) FROM runbook.runner_requests") == "1", "only the first request was taken")
        #expect(try team.ledgerSQL("SELECT count(*) FROM runbook.runs WHERE runbook = 'probe'") == "1", "and it ran once")
    }

    /// Two replicas over one ledger, each of 20 requests sent to both: each runs exactly once.
    @Test func twoReplicasRunEachRequestExactlyOnce() throws {
        defer { team.drop() }
        let a = try RunnerTeam.Replica(team: team, name: "a")
        defer { a.stop() }
        let b = try RunnerTeam.Replica(team: team, name: "b")
        defer { b.stop() }
        let envelopes = try (0..<20).map { _ in try team.signedRequest(runbook: "probe", key: team.key("alice")) }
        let results = Results()
        let urls = [a.url, b.url]
        DispatchQueue.concurrentPerform(iterations: 40) { i in
            let answer = try? RunnerTeam.post(envelopes[i / 2], to: urls[i % 2] + "/runs")
            results.add(i / 2, answer?.status ?? 0)
        }
        for i in 0..<20 {
            #expect(results.statuses(i).sorted() == [200, 409], "request \(i): \(results.statuses(i))")
        }
        #expect(try team.ledgerSQL("SELECT count(*) FROM runbook.runner_requests") == "20")
        #expect(RunnerTeam.eventually {
            (try? team.ledgerSQL("""
                SELECT count(DISTINCT r.run_id) FROM runbook.runs r JOIN runbook.runner_requests q ON q.run_id = r.run_id WHERE r.status = 'green'
                """)) == "20"
        }, "20 runs, each green, each of its own request")
    }

    /// A replica killed (SIGKILL) mid-run: another records the run as interrupted, and the
    /// run lock is free for the next run.
    @Test func aReplicaKilledMidRunLeavesItInterruptedAndItsLockFree() throws {
        defer { team.drop() }
        let a = try RunnerTeam.Replica(team: team, name: "a")
        defer { a.stop() }
        let b = try RunnerTeam.Replica(team: team, name: "b")
        defer { b.stop() }
        let envelope = try team.signedRequest(runbook: "hold", key: team.key("alice"), inputs: ["seconds=20"])
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        let body = team.root.appendingPathComponent("hold.json")
        try envelope.write(to: body, atomically: true, encoding: .utf8)
        client.arguments = ["-s", "-o", "/dev/null", "-H", "Content-Type: application/json", "--data-binary", "@\(body.path)", a.url + "/runs"]
        try client.run()
        defer { client.killAndReap() }
        #expect(RunnerTeam.eventually {
            (try? team.ledgerSQL("SELECT count(*) FROM runbook.runs WHERE runbook = 'hold' AND started_at IS NOT NULL")) == "1"
        }, "the run started on replica a")
        a.stop()
        #expect(RunnerTeam.eventually(90) {
            (try? team.ledgerSQL("SELECT status || ' ' || exit_code FROM runbook.runs WHERE runbook = 'hold'")) == "aborted 130"
        }, "replica b recorded it as interrupted")
        let next = try team.operatorRun(["run", "hold", "--env", "prod", "--key", team.key("alice"), "--lock-wait", "10s"], runner: b.url)
        #expect(next.code == 0, "the run lock is free: \(next.stdout)\(next.stderr)")
    }
}

/// HTTP statuses per request, gathered from concurrent threads.
final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var byRequest: [Int: [Int]] = [:]

    func add(_ request: Int, _ status: Int) { lock.withLock { byRequest[request, default: []].append(status) } }
    func statuses(_ request: Int) -> [Int] { lock.withLock { byRequest[request] ?? [] } }
}
