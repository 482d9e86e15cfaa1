import Foundation
import Testing
@testable import RunbookCore

/// What a probe of /health counts as, and where `database: ledger` may be used.
@Suite("Availability: the probe's verdict and checks that read the ledger")
struct AvailabilityRuleTests {
    let home = TestHome()

    @Test(arguments: [
        (200, #"{"status": "ok"}"#, true),
        (503, #"{"status": "degraded"}"#, false),       // the worker stopped: files wait
        (503, #"{"status": "down"}"#, false),           // the database is unreachable
        (200, #"{"status": "degraded"}"#, false),       // a proxy that turns every answer into 200
        (200, "[]", false),                             // not an object
        (200, "", false),                               // an empty body
        (500, "<html>error</html>", false),
    ])
    func healthAnswer(status: Int, body: String, up: Bool) throws {
        let json = try? JSON.parse(body)
        let verdict = HealthVerdict.answered(status: status, json: json)
        #expect(verdict.up == up, "\(status) \(body): \(verdict)")
        #expect(verdict.detail.hasPrefix("HTTP \(status)"))
    }

    @Test func noAnswerIsDown() {
        let verdict = HealthVerdict.unanswered("connection refused")
        #expect(!verdict.up)
        #expect(verdict.detail == "no answer: connection refused")
    }

    @Test func aCheckMayReadTheLedger() throws {
        let (runbook, diagnostics) = home.runbook("t", """
            runbook: t
            title: T
            steps:
              - check: probes
                database: ledger
                sql: SELECT count(*) AS n FROM runbook.probes WHERE environment = :e
                params: {e: run.environment}
              - check: files
                database: etl
                sql: SELECT 1 AS one
            """)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let steps = try #require(runbook).steps
        guard case .sql(let ledger) = steps[0].driver, case .sql(let etl) = steps[1].driver else {
            Issue.record("not sql steps")
            return
        }
        #expect(ledger.database == .ledger)
        #expect(etl.database == .etl)
    }

    @Test func anActionMayNotWriteTheLedger() {
        let diagnostics = home.lint("t", """
            runbook: t
            title: T
            steps:
              - action: forge
                database: ledger
                risk: low
                confirm: "Forge?"
                sql: INSERT INTO runbook.probes (environment, minute, up, detail) VALUES ('production', now(), true, 'x')
            """)
        #expect(diagnostics.contains { $0.hasPrefix("5:15: only a check may read the ledger") }, "\(diagnostics)")
    }

    @Test func anUnknownDatabaseIsNamed() {
        let diagnostics = home.lint("t", """
            runbook: t
            title: T
            steps:
              - check: c
                database: ledgr
                sql: SELECT 1 AS one
            """)
        #expect(diagnostics.contains { $0.hasPrefix("5:15: 'database' must be one of etl, ledger, not 'ledgr'") && $0.contains("ledger") }, "\(diagnostics)")
    }

    @Test func databaseIsOnlyForSQL() {
        let diagnostics = home.lint("t", """
            runbook: t
            title: T
            steps:
              - check: c
                database: ledger
                shell: [true]
            """)
        #expect(diagnostics.contains { $0.contains("'database' is for sql steps") }, "\(diagnostics)")
    }
}
