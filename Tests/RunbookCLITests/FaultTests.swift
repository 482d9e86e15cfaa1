import Foundation
import Testing

extension SandboxSuites {
    /// When things break: the database restarts mid-run, the run lock's backend is killed, the
    /// operator's terminal drops, `runbook` is SIGKILLed, the output pipe closes, a grandchild
    /// ignores SIGTERM. Each case against the sandbox and the built binary. The bounds below
    /// only detect a hang (a run that never exits); no test asserts how fast anything is.
    @Suite("runbook when things break")
    struct FaultTests {
        let sandbox: Sandbox
        let home: URL
        static let hangLimit: TimeInterval = 90

        init() throws {
            sandbox = try Sandbox.current()
            home = FileManager.default.temporaryDirectory.appendingPathComponent("faults-\(UUID().uuidString)")
            for d in ["runbooks", "environments"] {
                try FileManager.default.createDirectory(at: home.appendingPathComponent(d), withIntermediateDirectories: true)
            }
            try FileManager.default.copyItem(at: CLITests.packageRoot.appendingPathComponent("environments/sandbox.yaml"),
                                             to: home.appendingPathComponent("environments/sandbox.yaml"))
        }

        func write(_ id: String, _ yaml: String) throws {
            try yaml.write(to: home.appendingPathComponent("runbooks/\(id).yaml"), atomically: true, encoding: .utf8)
        }

        /// A running `runbook` whose output goes to files.
        struct Running {
            let process: Process
            let stdout: URL
            let stderr: URL

            /// Waits for the exit (nil if it hung past the limit, then kills it).
            func exit(within limit: TimeInterval = FaultTests.hangLimit) -> Int32? {
                let deadline = Date().addingTimeInterval(limit)
                while process.isRunning, Date() < deadline { usleep(20_000) }
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                    return nil
                }
                return process.terminationStatus
            }

            var output: String {
                ((try? String(contentsOf: stdout, encoding: .utf8)) ?? "") + ((try? String(contentsOf: stderr, encoding: .utf8)) ?? "")
            }
        }

        func start(_ args: [String], audit: String, stdout: FileHandle? = nil) throws -> Running {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CLITests.binary)
            process.arguments = args + ["--dir", home.path, "--audit-log", audit]
            process.currentDirectoryURL = home
            var env = ProcessInfo.processInfo.environment
            env.merge(sandbox.variables) { $1 }
            env["NO_COLOR"] = "1"
            process.environment = env
            let out = home.appendingPathComponent("out-\(UUID().uuidString)"), err = home.appendingPathComponent("err-\(UUID().uuidString)")
            _ = FileManager.default.createFile(atPath: out.path, contents: nil)
            _ = FileManager.default.createFile(atPath: err.path, contents: nil)
            process.standardOutput = try stdout ?? FileHandle(forWritingTo: out)
            process.standardError = try FileHandle(forWritingTo: err)
            process.standardInput = FileHandle.nullDevice
            try process.run()
            return Running(process: process, stdout: out, stderr: err)
        }

        func events(_ audit: String) -> [[String: Any]] {
            let text = (try? String(contentsOfFile: audit, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }

        func sandboxCommand(_ args: String) throws {
            let status = try Sandbox.spawnAndWait(["/bin/bash", "-c", "cd '\(CLITests.packageRoot.path)' && scripts/sandbox \(args) >/dev/null 2>&1"])
            #expect(status == 0, "scripts/sandbox \(args)")
        }

        /// Waits until `condition` holds (polling), for at most `limit`.
        func eventually(_ limit: TimeInterval = 30, _ condition: () throws -> Bool) rethrows -> Bool {
            let deadline = Date().addingTimeInterval(limit)
            while Date() < deadline {
                if try condition() { return true }
                usleep(50_000)
            }
            return try condition()
        }

        static let sleepyChecks = (0..<10).map { i in
            """
              - check: sleep-\(i)
                sql: "SELECT pg_sleep(1) AS slept"
                timeout: 5s

            """
        }.joined()

        /// Takes the sandbox's PostgreSQL away: scripts/test runs it last and alone.
        @Test("a database restart mid-run: dry and live runs end, none hangs")
        func databaseRestartedMidRun() throws {
            try write("sleepy", "runbook: sleepy\ntitle: Sleepy\nsteps:\n" + Self.sleepyChecks + """
              - action: after
                risk: low
                confirm: "go?"
                shell: [echo, done]
            """)
            for mode in ["--dry-run", "--yes"] {
                let audit = Sandbox.auditPath()
                let run = try start(["run", "sleepy", mode], audit: audit)
                #expect(try eventually { try sandbox.psql("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(1)%' AND pid <> pg_backend_pid()") != "0" })
                try sandboxCommand("fault db-restart")
                let code = run.exit()
                #expect(code != nil, "\(mode): the run hung after the database restart: \(run.output)")
                #expect(code == 4, "\(mode): \(run.output)")
                #expect(events(audit).last?["event"] as? String == "run.ended", "\(mode): no run.ended")
                if mode == "--yes" {
                    // The lock went with the restart: the action did not run.
                    #expect(run.output.contains("lost the run lock"), "\(run.output)")
                }
            }
        }

        /// Kills a backend of the sandbox's PostgreSQL: scripts/test runs it last and alone.
        @Test("the lock's backend terminated mid-run: no further action runs, exit 4, audited")
        func lockBackendTerminated() throws {
            let marker = home.appendingPathComponent("ACTION-RAN")
            try write("locked", """
                runbook: locked
                title: Locked
                steps:
                  - check: slow
                    sql: "SELECT pg_sleep(2) AS slept"
                  - action: act
                    risk: low
                    confirm: "go?"
                    shell: [touch, "\(marker.path)"]
                """)
            let audit = Sandbox.auditPath()
            // Only this run's lock: its operator name is its own.
            let holder = "faults-\(UUID().uuidString.prefix(8).lowercased())"
            let own = "application_name LIKE 'runbook lock: \(holder) %'"
            let run = try start(["run", "locked", "--yes", "--operator", holder], audit: audit)
            #expect(try eventually { try sandbox.psql("SELECT count(*) FROM pg_stat_activity WHERE \(own)") != "0" })
            try sandbox.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE \(own)")
            let code = run.exit()
            #expect(code == 4, "\(run.output)")
            #expect(!FileManager.default.fileExists(atPath: marker.path), "the action ran without the lock")
            #expect(run.output.contains("lost the run lock"), "\(run.output)")
            let ended = events(audit).first { $0["event"] as? String == "step.ended" && $0["step"] as? String == "act" }
            #expect((ended?["message"] as? String)?.contains("lost the run lock") == true)
            // A row left by a run that died is cleaned by the next one to take the lock.
            try sandbox.psql("INSERT INTO runbook_run_lock (key, holder, since) VALUES ('ghost@sandbox', 'nobody (run 0)', now()) ON CONFLICT DO NOTHING")
            try? FileManager.default.removeItem(at: marker)
            let again = try start(["run", "locked", "--yes"], audit: audit)
            #expect(again.exit() == 0, "\(again.output)")
            #expect(try sandbox.psql("SELECT count(*) FROM runbook_run_lock WHERE key = 'ghost@sandbox'") == "0")
        }

        @Test("a wrong password stops a live run; only an unreachable database means no lock")
        func lockNeedsTheRightPassword() throws {
            try write("tiny", "runbook: tiny\ntitle: Tiny\nsteps:\n  - action: act\n    risk: low\n    confirm: go?\n    shell: [\"true\"]\n")
            var bad = sandbox
            bad = Sandbox(databaseURL: sandbox.databaseURL.replacingOccurrences(of: "etl:etl@", with: "etl:wrong@"), apiURL: sandbox.apiURL,
                          token: sandbox.token, logDir: sandbox.logDir)
            let refused = try bad.runbook(["run", "tiny", "--yes"], audit: Sandbox.auditPath(), dir: home)
            #expect(refused.code == 4, "\(refused.stdout)\(refused.stderr)")
            #expect(refused.stderr.contains("cannot take the run lock"), "\(refused.stderr)")
            #expect(!refused.stderr.contains("wrong"), "the password leaked: \(refused.stderr)")
            let down = Sandbox(databaseURL: "postgres://etl:etl@127.0.0.1:1/etl?connect_timeout=2", apiURL: sandbox.apiURL, token: sandbox.token, logDir: sandbox.logDir)
            let audit = Sandbox.auditPath()
            let unreachable = try down.runbook(["run", "tiny", "--yes"], audit: audit, dir: home)
            #expect(unreachable.code == 0, "\(unreachable.stdout)\(unreachable.stderr)")
            #expect(unreachable.stderr.contains("running WITHOUT it"), "\(unreachable.stderr)")
            let started = events(audit).first { $0["event"] as? String == "run.started" }
            #expect((started?["run_lock"] as? String)?.hasPrefix("not taken") == true)
        }

        static let stubborn = """
            runbook: stubborn
            title: A grandchild that ignores SIGTERM
            inputs:
              mark: {type: string}
            steps:
              - action: linger
                risk: low
                confirm: "go?"
                timeout: TIMEOUT
                shell: [bash, -c, 'trap "" TERM; (trap "" TERM; sleep 10; touch "$0") & wait', "${{ inputs.mark }}"]
            """

        /// Whether no process of the step (its command line names the mark) is left.
        func noneLeft(_ mark: URL) throws -> Bool {
            try Sandbox.output(["/usr/bin/pgrep", "-f", "bash -c trap.*\(mark.lastPathComponent)"]).isEmpty
        }

        /// The grandchild touches the mark 10 s after it starts unless its group is killed:
        /// its processes must be gone well before that, and the mark never written. (Polling,
        /// not a fixed sleep: a slow machine only takes longer to pass.)
        func groupDied(_ mark: URL, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            #expect(try eventually(8) { try noneLeft(mark) }, "a process of the step is still running", sourceLocation: sourceLocation)
            #expect(!FileManager.default.fileExists(atPath: mark.path), "\(what)", sourceLocation: sourceLocation)
        }

        @Test("a timeout stops the whole group, a stubborn grandchild included")
        func timeoutKillsTheGroup() throws {
            try write("stubborn", Self.stubborn.replacingOccurrences(of: "TIMEOUT", with: "1s"))
            let mark = home.appendingPathComponent("MARK-timeout")
            let run = try start(["run", "stubborn", "--yes", "--input", "mark=\(mark.path)"], audit: Sandbox.auditPath())
            #expect(run.exit() == 1, "\(run.output)")
            #expect(run.output.contains("timed out after 1s"), "\(run.output)")
            try groupDied(mark, "the grandchild finished its action after the timeout")
        }

        @Test("SIGKILL of runbook: the action's processes die with it")
        func sigkillTakesTheChildren() throws {
            try write("stubborn", Self.stubborn.replacingOccurrences(of: "TIMEOUT", with: "60s"))
            let mark = home.appendingPathComponent("MARK-kill-\(UUID().uuidString)")
            let run = try start(["run", "stubborn", "--yes", "--input", "mark=\(mark.path)"], audit: Sandbox.auditPath())
            #expect(try eventually { try !noneLeft(mark) })
            kill(run.process.processIdentifier, SIGKILL)
            _ = run.exit()
            try groupDied(mark, "the action ran on after runbook was killed")
        }

        @Test("SIGHUP (a dropped SSH session) is an interruption: recorded, the group stopped, exit 130")
        func sighupInterrupts() throws {
            try write("stubborn", Self.stubborn.replacingOccurrences(of: "TIMEOUT", with: "60s"))
            let mark = home.appendingPathComponent("MARK-hup-\(UUID().uuidString)")
            let audit = Sandbox.auditPath()
            let run = try start(["run", "stubborn", "--yes", "--input", "mark=\(mark.path)"], audit: audit)
            #expect(try eventually { try !noneLeft(mark) })
            kill(run.process.processIdentifier, SIGHUP)
            let code = run.exit()
            #expect(code == 130, "\(run.output)")
            let last = events(audit).last
            #expect(last?["event"] as? String == "run.ended")
            #expect(last?["exit_code"] as? Int == 130)
            try groupDied(mark, "the action's group outlived the interruption")
        }

        @Test("output to a closed pipe ends nothing: the run completes and its audit too")
        func brokenPipe() throws {
            try write("chatty", "runbook: chatty\ntitle: Chatty\nsteps:\n" + (0..<20).map { "  - check: c\($0)\n    shell: [seq, \"1\", \"50\"]\n    thresholds: {yellow: \"true\"}\n" }.joined())
            let pipe = Pipe()
            try pipe.fileHandleForReading.close()  // nobody reads: every write gets EPIPE
            let audit = Sandbox.auditPath()
            let run = try start(["run", "chatty", "--dry-run"], audit: audit, stdout: pipe.fileHandleForWriting)
            #expect(run.exit() == 0, "\(run.output)")
            #expect(events(audit).last?["event"] as? String == "run.ended")
        }
    }
}
