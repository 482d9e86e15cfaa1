import Foundation
import RunbookCore
import RunbookDrivers
import Testing

/// Actions PostgreSQL refuses inside a transaction block (`CREATE INDEX CONCURRENTLY`, `VACUUM`):
/// the driver sends them on their own, with the step's timeout as their own statement_timeout.
@Suite("SQL driver: statements outside a transaction")
struct SQLStandaloneTests {
    let environment: Environment
    init() throws { environment = try TestDatabase.environment() }

    @Test(arguments: [
        ("CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)", true), ("create unique index concurrently i on t (a)", true),
        ("DROP INDEX CONCURRENTLY IF EXISTS i", true), ("REINDEX INDEX CONCURRENTLY i", true), ("VACUUM (ANALYZE) t", true),
        ("CREATE INDEX i ON t (a)", false), ("ANALYZE t", false), ("SELECT 'create index concurrently'", false),
        ("-- VACUUM\nUPDATE t SET a = 1", false),
    ])
    func whichStatementsRefuseATransaction(sql: String, refuses: Bool) {
        #expect(SQLStatement.refusesTransaction(sql) == refuses, "\(sql)")
    }

    @Test func createIndexConcurrentlyAndVacuumRun() async throws {
        let table = TestDatabase.table("cic")
        try await SQLDriver.withDriver(url: environment.databaseURL) { driver in
            _ = try await run(driver, sqlStep("create", "CREATE TABLE \(table) (id bigint PRIMARY KEY, status text, updated_at timestamptz)", kind: .action),
                              environment: environment)
            let index = try await run(driver, sqlStep("index", "CREATE INDEX CONCURRENTLY IF NOT EXISTS \(table)_idx ON \(table) (status, updated_at)",
                                                      kind: .action, timeout: .seconds(30)), environment: environment)
            #expect(index.succeeded, "\(index.excerpt)")
            let valid = try await run(driver, sqlStep("valid", "SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = '\(table)_idx'::regclass"),
                                      environment: environment)
            #expect(valid.rows.first?["valid"] == .bool(true))
            let vacuum = try await run(driver, sqlStep("vacuum", "VACUUM (ANALYZE) \(table)", kind: .action), environment: environment)
            #expect(vacuum.succeeded, "\(vacuum.excerpt)")
            _ = try await run(driver, sqlStep("drop", "DROP TABLE \(table)", kind: .action), environment: environment)
        }
    }

    /// Its own timeout: a transaction that holds a snapshot makes the build wait; the step's
    /// timeout stops it on the server, and what it leaves is an INVALID index (the runbook's
    /// drop-invalid-index removes it before the next try).
    @Test func aStoppedBuildLeavesAnInvalidIndex() async throws {
        let table = TestDatabase.table("cicwait")
        let url = try TestDatabase.url()
        try await SQLDriver.withDriver(url: environment.databaseURL) { driver in
            _ = try await run(driver, sqlStep("create", "CREATE TABLE \(table) (id bigint PRIMARY KEY, status text)", kind: .action), environment: environment)
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
            holder.arguments = [url, "-X", "-q", "-c", "BEGIN ISOLATION LEVEL REPEATABLE READ",
                                "-c", "SELECT count(*) FROM \(table)", "-c", "SELECT pg_sleep(8)", "-c", "COMMIT"]
            holder.environment = ProcessInfo.processInfo.environment.merging(["PGAPPNAME": table]) { $1 }
            holder.standardOutput = FileHandle.nullDevice
            holder.standardError = FileHandle.nullDevice
            try holder.run()
            defer {
                holder.terminate()
                holder.waitUntilExit()
            }
            var waiting = false
            for _ in 0..<100 where !waiting {
                let active = try await run(driver, sqlStep("holder", "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = :app AND query LIKE 'SELECT pg_sleep%'",
                                                           params: ["app": "inputs.app"]), inputs: ["app": .string(table)], environment: environment)
                waiting = active.rows.first?["n"] == .int(1)
                if !waiting { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(waiting, "the snapshot holder did not start")
            let message = await errorMessage {
                try await run(driver, sqlStep("index", "CREATE INDEX CONCURRENTLY \(table)_idx ON \(table) (status)", kind: .action,
                                              timeout: .seconds(1)), environment: environment)
            }
            #expect(message.contains("statement timeout") || message.contains("57014"), "\(message)")
            let left = try await run(driver, sqlStep("valid", "SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass(:name)",
                                                     params: ["name": "inputs.name"]), inputs: ["name": .string("\(table)_idx")], environment: environment)
            #expect(left.rows.first?["valid"] == .bool(false), "an interrupted build leaves an invalid index: \(left.rows)")
            holder.terminate()
            let dropped = try await run(driver, sqlStep("drop-invalid", "DROP INDEX CONCURRENTLY IF EXISTS \(table)_idx", kind: .action, timeout: .seconds(30)),
                                        environment: environment)
            #expect(dropped.succeeded)
            _ = try await run(driver, sqlStep("drop", "DROP TABLE \(table)", kind: .action), environment: environment)
        }
    }
}
