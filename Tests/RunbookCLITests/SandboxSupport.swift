import Foundation
import Testing

/// The sandbox `make test` starts (PostgreSQL + etl-core): its URLs and token from the
/// environment (`source .sandbox/env`). Missing is a failure, never a skip.
struct Sandbox {
    let databaseURL: String
    let apiURL: String
    let token: String
    let logDir: String

    /// The process's variables, with `.sandbox/env`'s when the sandbox's are not set.
    static func environment() -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        if env["ETL_DATABASE_URL"] == nil, let text = try? String(contentsOf: CLITests.packageRoot.appendingPathComponent(".sandbox/env"), encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("export ") {
                let body = line.dropFirst(7)
                guard let eq = body.firstIndex(of: "=") else { continue }
                env[String(body[..<eq])] = String(body[body.index(after: eq)...]).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
            }
        }
        return env
    }

    /// A variable `.sandbox/env` exports (a read-only URL, say); missing is a failure.
    static func variable(_ name: String) throws -> String {
        guard let value = environment()[name], !value.isEmpty else {
            throw PSQLFailed(message: "\(name) is not set: the sandbox predates it (run scripts/sandbox up again and source .sandbox/env)")
        }
        return value
    }

    static func current() throws -> Sandbox {
        let env = environment()
        guard let db = env["ETL_DATABASE_URL"], let api = env["ETL_API_URL"], let token = env["ETL_API_TOKEN"] else {
            throw SandboxMissing()
        }
        return Sandbox(databaseURL: db, apiURL: api, token: token, logDir: env["ETL_LOG_DIR"] ?? "")
    }

    struct SandboxMissing: Error, CustomStringConvertible {
        var description: String { "the sandbox is not running: run `scripts/sandbox up` and `source .sandbox/env` (make test does this)" }
    }

    /// Runs SQL through psql and returns its unaligned output.
    @discardableResult
    func psql(_ sql: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        p.arguments = [databaseURL, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = Pipe()
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            let err = String(decoding: (p.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw PSQLFailed(message: err)
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct PSQLFailed: Error { var message: String }

    /// Each of `statements`, sent with this login, must be refused with "permission denied"
    /// (`who` names the login in the failure).
    func expectPermissionDenied(_ statements: [String], who: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for sql in statements {
            do {
                _ = try psql(sql)
                Issue.record("\(who) could: \(sql)", sourceLocation: sourceLocation)
            } catch let failed as PSQLFailed {
                #expect(failed.message.contains("permission denied"), "\(sql): \(failed.message)", sourceLocation: sourceLocation)
            } catch {
                Issue.record(error, sourceLocation: sourceLocation)
            }
        }
    }

    /// A database of the sandbox's PostgreSQL made for one test (`PREFIX_<random>`): its name
    /// and URL.
    func newDatabase(_ prefix: String) throws -> (name: String, url: String) {
        let name = "\(prefix)_\(UInt32.random(in: 0...UInt32.max))"
        try psql("CREATE DATABASE \(name)")
        return (name, Self.url(databaseURL, database: name))
    }

    /// `url` with its database name replaced.
    static func url(_ url: String, database: String) -> String {
        let (base, query) = url.firstIndex(of: "?").map { (String(url[..<$0]), String(url[$0...])) } ?? (url, "")
        guard let slash = base.lastIndex(of: "/") else { return url }
        return base[...slash] + database + query
    }

    /// Reseeds the sandbox with `scenario` (scripts/sandbox up --scenario), the fault included.
    /// Spawned and reaped directly: the service `up` leaves running in the background must not
    /// keep the test waiting.
    func reseed(_ scenario: String) throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("reseed-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let script = "cd '\(CLITests.packageRoot.path)' && scripts/sandbox up --scenario '\(scenario)' > '\(log)' 2>&1 < /dev/null"
        let status = try Self.spawnAndWait(["/bin/bash", "-c", script])
        guard status == 0 else {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw PSQLFailed(message: "scripts/sandbox up --scenario \(scenario) failed (\(status)): \(output)")
        }
    }

    /// The standard output of `argv` (its standard error discarded).
    static func output(_ argv: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// posix_spawn + waitpid: the exit status of `argv`.
    static func spawnAndWait(_ argv: [String]) throws -> Int32 {
        var pid: pid_t = 0
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        let spawned = posix_spawn(&pid, argv[0], nil, nil, cArgs, environ)
        guard spawned == 0 else { throw PSQLFailed(message: "cannot start \(argv[0]): \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { throw PSQLFailed(message: "waitpid failed: \(errno)") }
        }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Runs the project's own runbooks (`--dir` the package root) with the sandbox's variables.
    func runbook(_ args: [String], audit: String, extra: [String: String] = [:], dir: URL = CLITests.packageRoot) throws -> CLITests.Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLITests.binary)
        process.arguments = args.first == "audit" ? args : args + ["--dir", dir.path]
        process.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment
        env.merge(variables) { $1 }
        env["RUNBOOK_AUDIT_LOG"] = audit
        env["NO_COLOR"] = "1"
        env.merge(extra) { $1 }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLITests.Output(code: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// The JSON report of a `--format json` run.
    static func report(_ output: CLITests.Output) throws -> [String: Any] {
        guard let json = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any] else {
            throw PSQLFailed(message: "not a JSON report: \(output.stdout) \(output.stderr)")
        }
        return json
    }

    /// `id: status` of each step of a JSON report.
    static func statuses(_ report: [String: Any]) -> [String: String] {
        var out: [String: String] = [:]
        for step in report["steps"] as? [[String: Any]] ?? [] {
            if let id = step["id"] as? String, let status = step["status"] as? String { out[id] = status }
        }
        return out
    }

    /// A fresh audit log path.
    static func auditPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).jsonl").path
    }

    /// `runbook audit verify` on `path` exits 0.
    func auditIntact(_ path: String) throws -> Bool {
        try runbook(["audit", "verify", "--audit-log", path], audit: path).code == 0
    }

    /// The environment variables a CLI run needs to reach the sandbox.
    var variables: [String: String] {
        var variables = ["ETL_DATABASE_URL": databaseURL, "ETL_API_URL": apiURL, "ETL_API_TOKEN": token, "ETL_LOG_DIR": logDir]
        if let ledger = Self.ledgerURL { variables["RUNBOOK_LEDGER_URL"] = ledger }
        return variables
    }
}

extension Sandbox {
    /// Runs `body` while a file is uploaded every second (files keep arriving in production,
    /// and the verification after a repair waits for one finished since the run began).
    func withUploads<T>(_ prefix: String, _ body: () throws -> T) throws -> T {
        let uploader = Process()
        uploader.executableURL = URL(fileURLWithPath: "/bin/bash")
        uploader.arguments = ["-c", """
        for i in $(seq 1 300); do
          curl -s -o /dev/null --max-time 5 -X POST -H "Authorization: Bearer $ETL_API_TOKEN" -H 'Content-Type: application/json' \
            --data-binary "{\\"filename\\": \\"$1-$i.csv\\", \\"content\\": \\"farm,lot,head_count,weight_kg,price\\\\nfazenda-teste,$1-$i,10,450,12000\\\\n\\"}" \
            "$ETL_API_URL/files"
          sleep 1
        done
        """, "uploader", prefix]
        uploader.environment = ProcessInfo.processInfo.environment.merging(variables) { $1 }
        uploader.standardOutput = FileHandle.nullDevice
        uploader.standardError = FileHandle.nullDevice
        try uploader.run()
        defer { uploader.killAndReap() }
        return try body()
    }
}

extension Process {
    /// Stops a stub server the test started: SIGKILL, then reaps it. Not SIGTERM: a child of a
    /// process that ignores SIGTERM (as some CI runners do, and as a ServiceGroup in the test
    /// process may) inherits that, and python would keep serving after the test.
    func killAndReap() {
        guard isRunning else { return }
        kill(processIdentifier, SIGKILL)
        waitUntilExit()
    }
}
