import Foundation
import RunbookCore
import Testing

/// `environments/team.yaml`, the operators' view of the sandbox through its runner (issue 19):
/// it holds only the read-only logins `.sandbox/env` exports, so what alice's process can do
/// with it is read; every write is the runner's.
@Suite("environments/team.yaml holds only read-only logins (issue 19)")
struct TeamEnvironmentCLITests {
    @Test func theOperatorsViewCannotRewriteTheLedgerOrRepairTheDatabase() throws {
        let sandbox = try Sandbox.current()
        let env = try Environment.load(name: "team", home: CLITests.packageRoot, processEnvironment: Sandbox.environment())
        #expect(env.ledgerURL == (try Sandbox.variable("RUNBOOK_LEDGER_READER_URL")))
        #expect(env.databaseURL == (try Sandbox.variable("ETL_READER_DATABASE_URL")))
        #expect(env.apiToken == (try Sandbox.variable("ETL_API_READ_TOKEN")))
        #expect(env.runnerURL != nil, "its writes go to the runner")
        let ledger = Sandbox(databaseURL: try #require(env.ledgerURL), apiURL: sandbox.apiURL, token: sandbox.token, logDir: sandbox.logDir)
        ledger.expectPermissionDenied(["UPDATE runbook.runs SET operator = 'bob' WHERE false",
                                       "INSERT INTO runbook.approval_decisions (request_id, approver, decision, signature) VALUES ('apr-0000000000', 'bob', 'approved', 'x')"],
            who: "team.yaml's ledger login")
        let database = Sandbox(databaseURL: try #require(env.databaseURL), apiURL: sandbox.apiURL, token: sandbox.token, logDir: sandbox.logDir)
        do {
            _ = try database.psql("UPDATE etl_file SET updated_at = updated_at WHERE false")
            Issue.record("team.yaml's database login could UPDATE etl_file")
        } catch let failed as Sandbox.PSQLFailed {
            #expect(failed.message.contains("permission denied"), "\(failed.message)")
        }
        // Reading works with them.
        #expect(try ledger.psql("SELECT count(*) >= 0 FROM runbook.runs") == "t")
    }
}
