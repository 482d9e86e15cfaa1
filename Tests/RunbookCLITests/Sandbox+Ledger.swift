import Foundation

extension Sandbox {
    /// The sandbox's ledger URL (`RUNBOOK_LEDGER_URL`, from the environment or `.sandbox/env`);
    /// nil when neither has one.
    static var ledgerURL: String? {
        if let url = ProcessInfo.processInfo.environment["RUNBOOK_LEDGER_URL"], !url.isEmpty { return url }
        let file = CLITests.packageRoot.appendingPathComponent(".sandbox/env")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("export RUNBOOK_LEDGER_URL=") {
            return String(line.dropFirst("export RUNBOOK_LEDGER_URL=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        }
        return nil
    }

    /// The sandbox's ledger, for `psql` (a missing ledger is a failure, never a skip).
    static func ledger() throws -> Sandbox {
        guard let url = ledgerURL else { throw SandboxMissing() }
        let sandbox = try Sandbox.current()
        return Sandbox(databaseURL: url, apiURL: sandbox.apiURL, token: sandbox.token, logDir: sandbox.logDir)
    }
}
