import ArgumentParser
import Foundation
import RunbookConsole
import RunbookCore

/// The options of Alertmanager's webhook (docs/alerts.md), the same for `runbook serve` and
/// `runbook runner`.
struct AlertReceiverOptions: ParsableArguments {
    @Option(name: .customLong("alerts-token-file"), help: "Receive Alertmanager's webhook at POST /api/alerts, authenticated by the bearer token in FILE.")
    var tokenFile: String?
    @Option(name: .customLong("console-url"), help: "The console's address for links posted to the incident channel (default: serve's own address; the runner's: none).")
    var consoleURL: String?
    @Option(name: .customLong("diagnoses"), help: "Diagnoses (dry runs) running at once, at most.")
    var diagnoses = 4
    @Option(name: .customLong("rediagnose-after"), help: "A repeated notification with the same inputs diagnoses again only after this long.")
    var rediagnoseAfter = "15m"

    /// The receiver's configuration, or nil without `--alerts-token-file`; exit 2 when the token
    /// file, a runbook or escalation.yaml is invalid. `defaultConsoleURL`: the link without
    /// `--console-url` (nil: none).
    func configuration(home: URL, defaultConsoleURL: String?) throws -> AlertReceiverConfiguration? {
        guard let tokenFile else { return nil }
        let token: String
        do { token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) } catch {
            throw CommandFailure(.usage, "error: --alerts-token-file \(tokenFile): cannot read it")
        }
        guard token.count >= 16, !token.contains(where: \.isWhitespace) else {
            throw CommandFailure(.usage, "error: --alerts-token-file \(tokenFile): the token must be one word of at least 16 characters")
        }
        guard let interval = DurationText.parse(rediagnoseAfter) else {
            throw CommandFailure(.usage, "error: --rediagnose-after '\(rediagnoseAfter)' is not a duration such as 15m")
        }
        guard diagnoses >= 1 else {
            throw CommandFailure(.usage, "error: --diagnoses must be at least 1")
        }
        // The runbooks are pinned at start: their triggers route the alerts.
        let loader = RunbookLoader(home: home)
        var runbooks: [Runbook] = []
        for file in loader.runbookFiles() {
            guard let url = loader.url(forRunbook: file.id) else { continue }
            let (runbook, diagnostics) = loader.loadRunbook(at: url)
            guard let runbook else {
                throw CommandFailure(diagnostics: diagnostics)
            }
            runbooks.append(runbook)
        }
        let ladder: Escalation?
        do { ladder = try Escalation.load(home: home) } catch {
            throw CommandFailure(diagnostics: error.diagnostics)
        }
        let binary = Bundle.main.executablePath ?? CommandLine.arguments[0]
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        return AlertReceiverConfiguration(token: token, home: home, runbooks: runbooks, binary: binary, ladder: ladder,
                                          consoleURL: (consoleURL ?? defaultConsoleURL)?.trimmingSuffix("/"),
                                          concurrency: diagnoses, rediagnoseAfter: seconds)
    }
}

extension String {
    /// The string without one trailing `suffix`.
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
