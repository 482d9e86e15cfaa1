import Foundation
import Testing

/// End to end: the built `runbook` binary, run as a user would, in a throw-away project folder.
@Suite("runbook CLI end to end", .serialized)
struct CLITests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binary: String = {
        let env = ProcessInfo.processInfo.environment["RUNBOOK_BIN"]
        return env ?? packageRoot.appendingPathComponent(".build/debug/runbook").path
    }()

    let home: URL
    let audit: String

    init() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        for d in ["runbooks", "checks", "templates", "environments"] {
            try FileManager.default.createDirectory(at: home.appendingPathComponent(d), withIntermediateDirectories: true)
        }
        audit = home.appendingPathComponent("audit.jsonl").path
        write("runbooks/demo.yaml", """
            runbook: demo
            title: Demo
            inputs:
              level: {type: int, default: 1}
              label: {type: string, default: "x"}
            steps:
              - check: level
                shell: [echo, "${{ inputs.level }}"]
                thresholds:
                  red: int(trim(result.stdout)) > 5
                  yellow: int(trim(result.stdout)) > 2
              - check: label
                shell: [printf, "%s", "${{ inputs.label }}"]
              - action: repair
                when: steps.level.status == "red"
                confirm: "Repair?"
                shell: [touch, ACTION-RAN]
            """)
        write("runbooks/slow.yaml", """
            runbook: slow
            title: Slow
            steps:
              - check: sleepy
                timeout: 1s
                shell: [bash, -c, "sleep 61.5; true # MARKER"]
            """)
    }

    func write(_ path: String, _ text: String) {
        try? text.write(to: home.appendingPathComponent(path), atomically: true, encoding: .utf8)
    }

    struct Output {
        var code: Int32
        var stdout: String
        var stderr: String
    }

    func runbook(_ args: [String], stdin: String? = nil) throws -> Output {
        let process = try launch(args)
        process.waitUntilExit()
        return collect(process)
    }

    func launch(_ args: [String], environment extra: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = args
        process.currentDirectoryURL = home
        var env = ProcessInfo.processInfo.environment
        env["RUNBOOK_AUDIT_LOG"] = audit
        env["NO_COLOR"] = "1"
        env.merge(extra) { $1 }
        process.environment = env
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    func collect(_ process: Process) -> Output {
        let out = (process.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile()
        let err = (process.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(code: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    /// Whether any process's command line contains `pattern` (pgrep -f).
    func processExists(matching pattern: String) throws -> Bool {
        let pgrep = Process()
        pgrep.executableURL = URL(fileURLWithPath: "/usr/bin/pgrep")
        pgrep.arguments = ["-f", pattern]
        pgrep.standardOutput = Pipe()
        try pgrep.run()
        pgrep.waitUntilExit()
        return pgrep.terminationStatus == 0
    }

    /// Whether no process matches `pattern` within 5 s (a killed process may linger until it
    /// is reaped).
    func processGone(matching pattern: String) throws -> Bool {
        for _ in 0..<100 {
            if try !processExists(matching: pattern) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return try !processExists(matching: pattern)
    }

    var actionRan: Bool { FileManager.default.fileExists(atPath: home.appendingPathComponent("ACTION-RAN").path) }

    @Test func exit0WhenGreenAndJSONReport() throws {
        let out = try runbook(["run", "demo", "--format", "json"])
        #expect(out.code == 0, "\(out.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
        #expect(json?["status"] as? String == "green")
        #expect(json?["mode"] as? String == "live")
        let steps = json?["steps"] as? [[String: Any]]
        #expect(steps?.map { $0["status"] as? String } == ["green", "green", "skipped"])
        #expect(steps?.first?["kind"] as? String == "check")
    }

    @Test func exit1WhenRedInDryRunAndNothingChanges() throws {
        let junit = home.appendingPathComponent("out.xml").path
        let out = try runbook(["run", "demo", "--dry-run", "--input", "level=9", "--junit", junit])
        #expect(out.code == 1, "\(out.stdout)\(out.stderr)")
        #expect(!actionRan)
        #expect(out.stdout.contains("would run touch ACTION-RAN"))
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains("<testcase classname=\"demo\" name=\"level\""))
        #expect(xml.contains("<failure"))
        #expect(xml.contains("<skipped message=\"planned"))
    }

    @Test func exit2ForBadInputsAndUnknownRunbooks() throws {
        let bad = try runbook(["run", "demo", "--input", "level=lots"])
        #expect(bad.code == 2)
        #expect(bad.stderr.contains("input 'level': expected an integer, got 'lots'"))
        let unknown = try runbook(["run", "demo", "--input", "levl=3"])
        #expect(unknown.code == 2)
        #expect(unknown.stderr.contains("did you mean 'level'"))
        let missing = try runbook(["run", "dem"])
        #expect(missing.code == 2)
        #expect(missing.stderr.contains("no runbook 'dem'"))
        let usage = try runbook(["run"])
        #expect(usage.code == 2)
        let approve = try runbook(["run", "demo", "--approve", "nope"])
        #expect(approve.code == 2)
    }

    @Test func exit2ForInvalidRunbookWithLocation() throws {
        write("runbooks/broken.yaml", "runbook: broken\ntitle: B\nsteps:\n  - check: a\n    shel: [true]\n")
        let out = try runbook(["lint"])
        #expect(out.code == 2)
        #expect(out.stdout.contains("runbooks/broken.yaml:5:5: error: unknown key 'shel' in step 'a' (did you mean 'shell'?)"))
        let run = try runbook(["run", "broken"])
        #expect(run.code == 2)
        #expect(run.stderr.contains("broken.yaml:5:5: error:"))
    }

    @Test func exit3AtTheGateWithoutTerminalAndYesPasses() throws {
        let stopped = try runbook(["run", "demo", "--input", "level=9"])
        #expect(stopped.code == 3, "\(stopped.stdout)")
        #expect(!actionRan)
        #expect(stopped.stdout.contains("awaiting-approval"))
        let passed = try runbook(["run", "demo", "--input", "level=9", "--yes", "--operator", "alice"])
        #expect(passed.code == 1) // the check was red and no verify step supersedes it; the action ran
        #expect(actionRan)
        let show = try runbook(["audit", "list"])
        #expect(show.stdout.contains("alice"))
        #expect(try runbook(["audit", "verify"]).code == 0)
    }

    @Test func exit4OnTimeoutAndNoProcessLeftBehind() throws {
        let out = try runbook(["run", "slow"])
        #expect(out.code == 4, "\(out.stdout)")
        #expect(out.stdout.contains("timed out after 1s"))
        // "sleep 61.5" names both the shell (bash stays: two commands) and its sleep child.
        #expect(try processGone(matching: "sleep 61[.]5"), "a process survived the timeout")
    }

    @Test func exit4WhenAuditLogCannotBeWritten() throws {
        let out = try runbook(["run", "demo", "--input", "level=9", "--yes", "--audit-log", "/proc/nope/audit.jsonl"])
        #expect(out.code == 4)
        #expect(!actionRan)
        #expect(out.stderr.contains("nothing was run"))
    }

    @Test func exit130OnInterruptRecordsTheAbort() throws {
        write("runbooks/wait.yaml", """
            runbook: wait
            title: Wait
            steps:
              - check: wait
                timeout: 2m
                shell: [bash, -c, "sleep 120; true # INTERRUPT-MARKER"]
            """)
        let process = try launch(["run", "wait"])
        // The step's shell is running (bash stays in the process list: two commands), so the
        // check below that it is gone can fail.
        var started = false
        for _ in 0..<1200 where !started {
            let audited = (try? String(contentsOfFile: audit, encoding: .utf8))?.contains("step.started") == true
            started = try audited && processExists(matching: "INTERRUPT-MARKER")
            if !started { Thread.sleep(forTimeInterval: 0.05) }
        }
        try #require(started, "the step never started")
        // Signals are trapped before the run starts: no extra wait is needed.
        kill(process.processIdentifier, SIGINT)
        let out = collect(process)
        #expect(out.code == 130, "\(out.stdout)\(out.stderr)")
        let text = try String(contentsOfFile: audit, encoding: .utf8)
        #expect(text.contains("\"status\":\"aborted\""))
        #expect(try processGone(matching: "INTERRUPT-MARKER"), "the child survived Ctrl-C")
    }

    @Test func hostileInputStaysOneLiteralArgument() throws {
        let hostile = "$(touch PWNED); touch PWNED2"
        let out = try runbook(["run", "demo", "--input", "label=\(hostile)", "--format", "json"])
        #expect(out.code == 0)
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("PWNED").path))
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("PWNED2").path))
        let json = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
        let label = (json?["steps"] as? [[String: Any]])?[1]["result"] as? [String: Any]
        #expect(label?["stdout"] as? String == hostile)
    }

    @Test func tamperedAuditLogIsNamed() throws {
        _ = try runbook(["run", "demo"])
        _ = try runbook(["run", "demo"])
        var lines = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[3] = lines[3].replacingOccurrences(of: "green", with: "red")
        try (lines.joined(separator: "\n") + "\n").write(toFile: audit, atomically: true, encoding: .utf8)
        let out = try runbook(["audit", "verify"])
        #expect(out.code == 1)
        #expect(out.stdout.contains("line 4"))
    }

    @Test func planRendersEveryCommandAndRunsNothing() throws {
        let out = try runbook(["plan", "demo", "--input", "level=9", "--input", "label=a b"])
        #expect(out.code == 0)
        #expect(out.stdout.contains("$ echo 9"))
        #expect(out.stdout.contains("$ printf %s 'a b'"))
        #expect(out.stdout.contains("$ touch ACTION-RAN"))
        #expect(!actionRan)
        #expect(!FileManager.default.fileExists(atPath: audit))
    }

    @Test func secretsNeverReachOutputReportsOrAudit() throws {
        let secret = "tok-\(UUID().uuidString)"
        write("environments/sandbox.yaml", """
            environment: sandbox
            api: {url: "http://127.0.0.1:1", token: "${RB_TEST_TOKEN}"}
            secrets: [RB_TEST_TOKEN]
            """)
        write("runbooks/leak.yaml", """
            runbook: leak
            title: Leak
            steps:
              - check: echo-token
                shell: [bash, -c, 'echo "token is $TOKEN"; exit 1']
                env: {TOKEN: "${{ env.api.token }}"}
            """)
        let junit = home.appendingPathComponent("leak.xml").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["run", "leak", "--format", "json", "--junit", junit]
        process.currentDirectoryURL = home
        var env = ProcessInfo.processInfo.environment
        env["RUNBOOK_AUDIT_LOG"] = audit
        env["RB_TEST_TOKEN"] = secret
        process.environment = env
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        let out = collect(process)
        #expect(out.code == 1)
        #expect(out.stdout.contains("token is ***"))
        for text in [out.stdout, out.stderr, try String(contentsOfFile: junit, encoding: .utf8), try String(contentsOfFile: audit, encoding: .utf8)] {
            #expect(!text.contains(secret))
        }
        let plan = collect(try launch(["plan", "leak"], environment: ["RB_TEST_TOKEN": secret]))
        #expect(plan.code == 0)
        #expect(plan.stdout.contains("token is $TOKEN"))
        #expect(!plan.stdout.contains(secret))
        // A secret rendered into argv is refused before anything runs.
        write("runbooks/argv.yaml", """
            runbook: argv
            title: Argv
            steps:
              - check: echo-token
                shell: [bash, -c, 'echo "token is $0"; exit 1', "${{ env.api.token }}"]
            """)
        let refused = collect(try launch(["run", "argv"], environment: ["RB_TEST_TOKEN": secret]))
        #expect(refused.code == 2)
        #expect(refused.stderr.contains("runbooks/argv.yaml:5:58: error: in 'shell' of step 'echo-token': env.api.token"), "\(refused.stderr)")
        #expect(!refused.stdout.contains("token is"))
    }

    @Test func gateOnARealTerminal() throws {
        // `script` gives the CLI a pseudo-terminal; the answer is typed into it.
        let command = "printf 'y\\n' | script -qec '\(Self.binary) run demo --input level=9' /dev/null"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = home
        var env = ProcessInfo.processInfo.environment
        env["RUNBOOK_AUDIT_LOG"] = audit
        env["NO_COLOR"] = "1"
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(output.contains("Proceed? [y/N]"), "\(output)")
        #expect(actionRan, "\(output)")
        let gate = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n").first { $0.contains("gate.decision") }
        #expect(gate?.contains("\"how\":\"terminal\"") == true)
    }
}
