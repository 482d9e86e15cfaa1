import Foundation
import Testing

extension SandboxSuites {
    /// What the second person reads in a terminal (issue 23): scenario 2 stopped at its gate in
    /// an environment with four-eyes approvals, then `runbook approve` by someone else prints
    /// the plan with each finding's rows as a table that fits 80 columns.
    @Suite("runbook approve on scenario 2: findings as tables")
    struct Scenario2ApprovalTests {
        static let runbook = "scenario-2-high-error-rate"

        @Test func theApproverReadsTablesThatFitEightyColumns() throws {
            let sandbox = try Sandbox.current()
            try sandbox.reseed(Self.runbook)
            let (database, url) = try sandbox.newDatabase("approve_tables")
            defer { _ = try? sandbox.psql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)") }
            let home = FileManager.default.temporaryDirectory.appendingPathComponent("approve-tables-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: home) }
            try FileManager.default.createDirectory(at: home.appendingPathComponent("environments"), withIntermediateDirectories: true)
            for d in ["runbooks", "checks", "templates", "scripts", ".sandbox"] {
                try FileManager.default.createSymbolicLink(at: home.appendingPathComponent(d), withDestinationURL: CLITests.packageRoot.appendingPathComponent(d))
            }
            try CLITests.allowedSigners(["alice", "bob"], in: home).write(to: home.appendingPathComponent("environments/team.allowed_signers"), atomically: true, encoding: .utf8)
            var team = try String(contentsOf: CLITests.packageRoot.appendingPathComponent("environments/sandbox.yaml"), encoding: .utf8)
            team = team.replacing(/(?m)^environment: sandbox$/, with: "environment: team")
                .replacing(/(?m)^ledger: .*$/, with: "ledger: {url: \"${TABLES_LEDGER_URL}\"}")
                .replacing("secrets: [", with: "secrets: [TABLES_LEDGER_URL, ")
            team += "identity: {allowed_signers: environments/team.allowed_signers}\napprovals: {medium: 1, high: 1, approvers: [alice@example.com, bob@example.com]}\n"
            try team.write(to: home.appendingPathComponent("environments/team.yaml"), atomically: true, encoding: .utf8)
            let audit = Sandbox.auditPath()
            func runbook(_ args: [String]) throws -> CLITests.Output {
                try sandbox.runbook(args, audit: audit, extra: ["TABLES_LEDGER_URL": url, "SSH_AUTH_SOCK": "", "RUNBOOK_SIGNING_KEY": ""], dir: home)
            }
            let initialized = try runbook(["ledger", "init", "--env", "team"])
            #expect(initialized.code == 0, "\(initialized.stderr)")

            let run = try runbook(["run", Self.runbook, "--env", "team", "--key", home.appendingPathComponent("alice").path])
            #expect(run.code == 3, "\(run.stdout)\(run.stderr)")
            let id = try #require(run.stdout.firstMatch(of: /apr-[0-9a-f]{10}/).map { String($0.output) }, "\(run.stdout)")
            let approve = try runbook(["approve", id, "--env", "team", "--key", home.appendingPathComponent("bob").path, "--comment", "tables read"])
            #expect(approve.code == 0, "\(approve.stderr)")
            let out = approve.stdout
            let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
            let start = try #require(lines.firstIndex { $0.contains("findings that led to it:") }, "\(out)")
            let end = try #require(lines.firstIndex { $0.hasPrefix("  digest ") }, "\(out)")
            let findings = lines[start..<end]
            for line in findings { #expect(line.count <= 80, "\(line.count) columns: \(line)") }
            // The sentence that opens it names the red check and its value.
            let opening = lines.prefix(4).joined(separator: "\n").replacingOccurrences(of: "\n  ", with: " ")
            #expect(opening.contains("alice@example.com asks to run reprocess-transient-failures (medium risk)"), "\(out)")
            #expect(opening.contains("because error-rate is RED (error_rate = "), "\(out)")
            for line in lines.prefix(4).dropFirst() where !line.hasPrefix("  asked by") { #expect(line.count <= 80, "\(line)") }
            // error-types' rows: a header of the query's columns in its order, a rule, no JSON.
            let header = try #require(findings.first { $0.contains("error_type") && $0.contains("error_message") }, "\(out)")
            let columns = ["error_type", "error_message", "count", "last_occurrence"].map { header.range(of: $0)?.lowerBound }
            #expect(columns.allSatisfy { $0 != nil } && columns.map { $0! } == columns.map { $0! }.sorted(), "\(header)")
            #expect(findings.contains { $0.contains("connection") })
            #expect(findings.contains { $0.contains("──") })
            #expect(!findings.contains { $0.contains("{\"error_type\"") }, "rows printed as JSON:\n\(out)")
            // The value the action's `when` read is marked where it appears in its table.
            #expect(findings.contains { $0.range(of: #"^ {8}.*\*[0-9.]+\*"#, options: .regularExpression) != nil }, "\(out)")
        }
    }
}
