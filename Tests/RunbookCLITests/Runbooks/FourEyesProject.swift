import Foundation
import Testing

/// The project's own runbooks in a production-like environment that requires one approval for
/// every high-risk action: a throw-away copy of `runbooks/`, `checks/` and `templates/`, and an
/// environment `production` that is the sandbox's plus a ledger (a database of the sandbox's
/// PostgreSQL made for the test), identities (ed25519 keys made here by ssh-keygen) and the
/// `approvals:` block of `environments/production.example.yaml`, verbatim.
struct FourEyesProject {
    let sandbox: Sandbox
    let home: URL
    let database: String
    let ledgerURL: String
    let audit: String

    /// The people of the example policy, each with a key: `NAME@conectaboi.com.br`.
    static let people = ["ana", "bruno", "carla"]

    init(sandbox: Sandbox) throws {
        self.sandbox = sandbox
        let files = FileManager.default
        (database, ledgerURL) = try sandbox.newDatabase("foureyes")
        home = files.temporaryDirectory.appendingPathComponent("foureyes-\(UUID().uuidString)")
        try files.createDirectory(at: home.appendingPathComponent("environments"), withIntermediateDirectories: true)
        for item in ["runbooks", "checks", "templates", "escalation.yaml"] {
            try files.copyItem(at: CLITests.packageRoot.appendingPathComponent(item), to: home.appendingPathComponent(item))
        }
        audit = home.appendingPathComponent("audit.jsonl").path

        let signers = try CLITests.allowedSigners(Self.people, domain: "conectaboi.com.br", in: home)
        try signers.write(to: home.appendingPathComponent("environments/production.allowed_signers"), atomically: true, encoding: .utf8)
        try Self.environment().write(to: home.appendingPathComponent("environments/production.yaml"), atomically: true, encoding: .utf8)
        let initialized = try runbook(["ledger", "init", "--env", "production"])
        #expect(initialized.code == 0, "\(initialized.stdout)\(initialized.stderr)")
    }

    /// The sandbox's environment renamed `production`, its service commands by absolute path
    /// (the copy has no scripts/), with the ledger, identities and the example's policy.
    static func environment() throws -> String {
        let root = CLITests.packageRoot
        let sandbox = try String(contentsOf: root.appendingPathComponent("environments/sandbox.yaml"), encoding: .utf8)
        let example = try String(contentsOf: root.appendingPathComponent("environments/production.example.yaml"), encoding: .utf8)
        // The `approvals:` block, up to the next top-level key.
        var policy: [Substring] = []
        for line in example.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("approvals:") || (!policy.isEmpty && line.hasPrefix(" ")) { policy.append(line) } else if !policy.isEmpty { break }
        }
        #expect(policy.contains { $0.contains("high: 1") }, "production.example.yaml shows no policy requiring one approval")
        var text = sandbox
            .replacingOccurrences(of: "environment: sandbox", with: "environment: production")
            .replacingOccurrences(of: "[scripts/sandbox,", with: "[\(root.path)/scripts/sandbox,")
            .replacingOccurrences(of: "ledger: {url: \"${RUNBOOK_LEDGER_URL:-}\"}", with: "ledger: {url: \"${RUNBOOK_LEDGER_URL}\"}")
        text += "identity: {allowed_signers: environments/production.allowed_signers}\n" + policy.joined(separator: "\n") + "\n"
        return text
    }

    func key(_ name: String) -> String { home.appendingPathComponent(name).path }

    /// The CLI in this project, with the sandbox's variables, the ledger and no agent.
    func runbook(_ args: [String]) throws -> CLITests.Output {
        try sandbox.runbook(args + (args.first == "audit" ? ["--dir", home.path] : []), audit: audit,
                            extra: ["RUNBOOK_LEDGER_URL": ledgerURL, "SSH_AUTH_SOCK": "", "RUNBOOK_SIGNING_KEY": ""], dir: home)
    }

    /// A live run by `name` with `--yes` (low and medium gates), resuming `request` when given.
    func run(_ runbook: String, as name: String, resume request: String? = nil) throws -> CLITests.Output {
        try self.runbook(["run", runbook, "--env", "production", "--key", key(name), "--yes", "--format", "json"]
            + (request.map { ["--resume", $0] } ?? []))
    }

    func approve(_ request: String, by name: String) throws -> CLITests.Output {
        try runbook(["approve", request, "--env", "production", "--key", key(name), "--comment", "checked the plan"])
    }

    /// The request id a run stopped at a four-eyes gate printed.
    static func requestID(_ output: CLITests.Output) -> String? {
        (output.stderr + output.stdout).firstMatch(of: /request (apr-[0-9a-f]{10})/).map { String($0.output.1) }
    }

    /// One run of an approval chain: its report, and the request it stopped at (if it did).
    struct Stage {
        var report: [String: Any]
        var statuses: [String: String]
        var request: String?
        var awaiting: String?
    }

    /// Runs `runbook` as `requester`; each time it stops at a four-eyes gate, `approver` approves
    /// and the requester resumes, until the run ends otherwise. `after` sees each stage (its data
    /// checks) before the approval of its request.
    func chain(_ runbook: String, requester: String, approver: String, limit: Int = 10,
               after: (Int, Stage) throws -> Void = { _, _ in }) throws -> [Stage]
    {
        var stages: [Stage] = []
        var resume: String?
        for n in 0..<limit {
            let out = try run(runbook, as: requester, resume: resume)
            let report = try Sandbox.report(out)
            let statuses = Sandbox.statuses(report)
            var stage = Stage(report: report, statuses: statuses)
            if out.code == 3 {
                stage.request = Self.requestID(out)
                stage.awaiting = statuses.first { $0.value == "awaiting-approval" }?.key
                #expect(stage.request != nil && stage.awaiting != nil, "stage \(n) stopped without a request: \(out.stdout)\(out.stderr)")
                #expect(out.stderr.contains("needs 1 approval by someone other than \(requester)@conectaboi.com.br"), "\(out.stderr)")
            } else {
                #expect(out.code == 0, "stage \(n): \(out.stdout)\(out.stderr)")
            }
            stages.append(stage)
            try after(n, stage)
            guard let request = stage.request else { return stages }
            let approved = try approve(request, by: approver)
            #expect(approved.code == 0, "\(approved.stdout)\(approved.stderr)")
            resume = request
        }
        Issue.record("\(runbook) still stopped at a gate after \(limit) approvals")
        return stages
    }

    @discardableResult
    func ledgerSQL(_ sql: String) throws -> String {
        try Sandbox(databaseURL: ledgerURL, apiURL: sandbox.apiURL, token: sandbox.token, logDir: sandbox.logDir).psql(sql)
    }

    func drop() {
        _ = try? sandbox.psql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
        try? FileManager.default.removeItem(at: home)
    }
}
