/// The message posted to the incident channel after an alert's diagnosis: the alert, each
/// check's colour (the red ones with an excerpt of what they found), the remediation the
/// runbook proposes with the exact command to run it, and the console's page of the run.
/// Pure: built from the dry run's `--format json` report.
public struct DiagnosisMessage: Sendable {
    public var alert: String
    public var severity: String?
    public var incident: String
    public var environment: String
    /// Why this diagnosis runs (new alert, inputs changed...).
    public var reason: String
    /// The dry run's JSON report (`runbook run --dry-run --format json`).
    public var report: Value
    /// The runbook's inputs given from the alert's labels (`name=value`).
    public var inputs: [String]
    /// The console's address, without a trailing slash; nil: no link.
    public var consoleURL: String?

    /// The longest excerpt of a red check's result.
    static let excerptLimit = 300

    public init(alert: String, severity: String?, incident: String, environment: String, reason: String, report: Value,
                inputs: [String], consoleURL: String?) {
        self.alert = alert
        self.severity = severity
        self.incident = incident
        self.environment = environment
        self.reason = reason
        self.report = report
        self.inputs = inputs
        self.consoleURL = consoleURL
    }

    /// The exact command that runs the repair live, linked to the incident.
    public var repairCommand: String {
        let runbook = report["runbook"]?.stringValue ?? "?"
        let inputs = inputs.map { " --input " + ShellQuote.quote($0) }.joined()
        return "runbook run \(runbook) --env \(environment) --incident \(incident)\(inputs)"
    }

    public var text: String {
        let runbook = report["runbook"]?.stringValue ?? "?"
        let status = report["status"]?.stringValue ?? "error"
        let runID = report["run_id"]?.stringValue
        var lines = ["🔔 ALERT \(alert) firing\(severity.map { " (\($0))" } ?? "") · \(incident) · \(reason)",
                     "Diagnosis: \(runbook) dry run\(runID.map { " \($0)" } ?? ""), \(status.uppercased())"]
        let steps = report["steps"]?.listValue ?? []
        var proposed: [String] = []
        for step in steps {
            let id = step["id"]?.stringValue ?? "?"
            let stepStatus = step["status"]?.stringValue ?? "?"
            switch step["kind"]?.stringValue {
            case "check":
                var line = "  \(Self.mark(stepStatus)) \(id): \(stepStatus)"
                if stepStatus == "red" || stepStatus == "error" {
                    line += " · " + excerpt(step)
                }
                lines.append(line)
            case "action" where stepStatus == "planned":
                proposed.append("  → \(id)" + (step["message"]?.stringValue.map { ": \($0)" } ?? ""))
            default:
                continue
            }
        }
        if proposed.isEmpty {
            lines.append("No remediation proposed by the findings.")
        } else {
            lines.append("Proposed remediation:")
            lines += proposed
            lines.append("Run it: \(repairCommand)")
        }
        if let consoleURL, let runID {
            lines.append("Console: \(consoleURL)/runs/\(runID)")
        }
        return lines.joined(separator: "\n")
    }

    static func mark(_ status: String) -> String {
        switch status {
        case "green": "🟢"
        case "yellow": "🟡"
        case "red": "🔴"
        default: "⚫"
        }
    }

    /// What a red or failed check found, on one line and bounded.
    func excerpt(_ step: Value) -> String {
        var text = step["message"]?.stringValue ?? ""
        if let result = step["result"], result != .null {
            let shown: String
            if let rows = result["rows"] {
                shown = JSON.encode(rows)
            } else if let out = result["stdout"]?.stringValue {
                shown = out
            } else {
                shown = JSON.encode(result["json"] ?? result)
            }
            text += (text.isEmpty ? "" : " ") + shown
        }
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > Self.excerptLimit ? String(flat.prefix(Self.excerptLimit)) + "…" : flat
    }
}
