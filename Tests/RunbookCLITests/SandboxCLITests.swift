import Foundation
import Testing

/// The CLI against the real sandbox: PostgreSQL through the SQL driver, etl-core through the
/// HTTP driver.
/// Everything that uses the one sandbox runs inside this suite, one test at a time: runbook
/// tests reseed it with their scenario.
@Suite("Against the sandbox", .serialized)
struct SandboxSuites {}

extension SandboxSuites {
@Suite("runbook CLI against the sandbox")
struct SandboxCLITests {
    let cli: CLITests
    let sandbox: Sandbox
    let tag = "rbtest\(UInt32.random(in: 0...UInt32.max))"

    init() throws {
        cli = try CLITests()
        sandbox = try Sandbox.current()
        let envFile = CLITests.packageRoot.appendingPathComponent("environments/sandbox.yaml")
        cli.write("environments/sandbox.yaml", try String(contentsOf: envFile, encoding: .utf8))
        cli.write("environments/down.yaml", """
            environment: down
            database: {url: "postgres://etl:s3cret-pw@127.0.0.1:1/etl"}
            secrets: []
            """)
    }

    func run(_ args: [String], extra: [String: String] = [:]) throws -> CLITests.Output {
        let process = try cli.launch(args, environment: sandbox.variables.merging(extra) { $1 })
        return cli.collect(process)
    }

    @Test func hostileBindValueChangesNothing() throws {
        cli.write("runbooks/bind.yaml", """
            runbook: bind
            title: Bind
            inputs:
              name: {type: string}
            steps:
              - check: by-name
                sql: SELECT count(*) AS n FROM etl_file WHERE filename = :name
                params: {name: inputs.name}
                thresholds: {red: "result.rows[0].n > 0"}
            """)
        let before = try sandbox.psql("SELECT count(*) FROM etl_file")
        let out = try run(["run", "bind", "--dry-run", "--input", "name='; DROP TABLE etl_file; --", "--format", "json"])
        #expect(out.code == 0, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.contains("\"n\": 0"))
        #expect(try sandbox.psql("SELECT count(*) FROM etl_file") == before)
    }

    @Test func aCheckCannotWrite() throws {
        try sandbox.psql("CREATE TABLE \(tag) (n int); INSERT INTO \(tag) VALUES (1), (2)")
        defer { _ = try? sandbox.psql("DROP TABLE IF EXISTS \(tag)") }
        cli.write("runbooks/sneaky.yaml", """
            runbook: sneaky
            title: Sneaky
            steps:
              - check: delete-in-check
                sql: DELETE FROM \(tag) RETURNING n
            """)
        let out = try run(["run", "sneaky"])
        #expect(out.code == 4, "\(out.stdout)")
        #expect(out.stdout.contains("25006"))
        #expect(try sandbox.psql("SELECT count(*) FROM \(tag)") == "2")
    }

    @Test func dryRunOfSQLAndHTTPActionsChangesNothing() throws {
        try sandbox.psql("""
            CREATE TABLE \(tag) (n int); INSERT INTO \(tag) VALUES (1);
            INSERT INTO etl_dead_letter_queue (error_type, entity_type, error_message) VALUES ('connection', '\(tag)', 'probe');
            """)
        defer { _ = try? sandbox.psql("DROP TABLE IF EXISTS \(tag); DELETE FROM etl_dead_letter_queue WHERE entity_type = '\(tag)'") }
        cli.write("runbooks/fixes.yaml", """
            runbook: fixes
            title: Fixes
            steps:
              - check: probe
                sql: SELECT n FROM \(tag)
                thresholds: {red: "result.rows[0].n == 1"}
              - check: api-health
                http: {url: "${{ env.api.url }}/health"}
              - action: bump
                when: steps.probe.status == "red"
                confirm: bump?
                sql: UPDATE \(tag) SET n = n + 1
              - action: resolve-transient
                confirm: resolve?
                http: {method: POST, url: "${{ env.api.url }}/dlq/resolve-transient", auth: bearer}
            """)
        let snapshot = "SELECT (SELECT n FROM \(tag)) || '/' || (SELECT count(*) FROM etl_dead_letter_queue WHERE entity_type = '\(tag)' AND NOT resolved)"
        #expect(try sandbox.psql(snapshot) == "1/1")
        let dry = try run(["run", "fixes", "--dry-run", "--yes", "--approve", "bump"])
        #expect(dry.code == 1, "\(dry.stdout)\(dry.stderr)")
        #expect(dry.stdout.contains("would execute SQL UPDATE \(tag) SET n = n + 1"))
        #expect(dry.stdout.contains("would POST \(sandbox.apiURL)/dlq/resolve-transient"))
        #expect(try sandbox.psql(snapshot) == "1/1")
        let live = try run(["run", "fixes", "--yes"])
        #expect(live.code == 1, "\(live.stdout)\(live.stderr)") // the probe was red
        #expect(try sandbox.psql(snapshot) == "2/0")
    }

    @Test func databaseDownIsExit4WithHostAndPortAndNoPassword() throws {
        cli.write("runbooks/ping.yaml", """
            runbook: ping
            title: Ping
            steps:
              - check: select-1
                sql: SELECT 1 AS one
            """)
        let out = try run(["run", "ping", "--env", "down", "--format", "json"])
        #expect(out.code == 4)
        #expect(out.stdout.contains("127.0.0.1:1"))
        #expect(!out.stdout.contains("s3cret-pw") && !out.stderr.contains("s3cret-pw"))
        #expect(!(try String(contentsOfFile: cli.audit, encoding: .utf8)).contains("s3cret-pw"))
    }

    @Test func tokenNeverAppearsAnywhere() throws {
        cli.write("runbooks/files.yaml", """
            runbook: files
            title: Files
            steps:
              - check: list
                http: {url: "${{ env.api.url }}/files", query: {limit: "1"}, auth: bearer}
              - check: wrong-token
                http: {url: "${{ env.api.url }}/files", headers: {Authorization: "Bearer nope"}}
            """)
        let junit = cli.home.appendingPathComponent("files.xml").path
        let out = try run(["run", "files", "--format", "json", "--junit", junit])
        #expect(out.code == 1, "\(out.stdout)\(out.stderr)") // the wrong token gets 401: red
        #expect(out.stdout.contains("\"status\": 401"))
        for text in [out.stdout, out.stderr, try String(contentsOfFile: junit, encoding: .utf8), try String(contentsOfFile: cli.audit, encoding: .utf8)] {
            #expect(!text.contains(sandbox.token))
        }
    }

    @Test func concurrentLiveRunsAreSerializedByTheLock() throws {
        // The action holds until the test lets it go (a file appears), however slow the machine.
        let release = cli.home.appendingPathComponent("RELEASE-\(UUID().uuidString)")
        cli.write("runbooks/slow-fix.yaml", """
            runbook: slow-fix
            title: Slow fix
            steps:
              - action: hold
                confirm: hold?
                timeout: 2m
                shell: [bash, -c, 'while [ ! -e "$0" ]; do sleep 0.1; done', "\(release.path)"]
            """)
        let first = try cli.launch(["run", "slow-fix", "--yes", "--operator", "alice"], environment: sandbox.variables)
        // Wait until the first run has started its action (it holds the lock by then).
        var started = false
        for _ in 0..<1200 where !started {
            started = (try? String(contentsOfFile: cli.audit, encoding: .utf8))?.contains("step.started") == true
            if !started { Thread.sleep(forTimeInterval: 0.05) }
        }
        #expect(started, "the first run never started its action")
        let second = try run(["run", "slow-fix", "--yes", "--operator", "bob", "--lock-wait", "500ms"])
        #expect(second.code == 4, "\(second.stdout)\(second.stderr)")
        #expect(second.stderr.contains("alice"))
        _ = FileManager.default.createFile(atPath: release.path, contents: nil)
        #expect(cli.collect(first).code == 0)
        let third = try run(["run", "slow-fix", "--yes", "--operator", "carol", "--lock-wait", "10s"])
        #expect(third.code == 0, "\(third.stderr)")
        // A dry run takes no lock.
        #expect(try run(["run", "slow-fix", "--dry-run"]).code == 0)
    }
}
}
