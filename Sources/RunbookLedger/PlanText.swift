public import RunbookCore

/// The whole plan of an approval request, as an approver reads it before deciding: what
/// `runbook approve` prints and the console's approvals page shows.
public enum PlanText {
    /// The plan as text; `color`: ANSI colours for a terminal. Findings' rows are tables of at
    /// most `width` columns (``ResultTable``); the sentence that opens it is wrapped to `width`.
    public static func render(_ r: ApprovalRequest, loaded: ApprovalDesk.Loaded, policy: ApprovalPolicy, color: Bool, width: Int = 80) -> String {
        func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        func colour(_ status: String) -> String {
            switch status {
            case "red", "failed", "error": paint(status.uppercased(), "31;1")
            case "yellow": paint(status.uppercased(), "33;1")
            case "green", "succeeded": paint(status.uppercased(), "32")
            default: status.uppercased()
            }
        }
        let plan = ApprovalPlan(json: r.plan)
        let have = ApprovalTally.counted(r, loaded.decisions, policy: policy).count
        var out = "approval request \(r.id): '\(r.action)' of \(r.runbook) in \(r.environment)\n"
        for line in ResultTable.wrap(sentence(r, plan: plan), width: width - 2) { out += "  \(line)\n" }
        out += "  asked by  \(r.requester) (run \(r.runID)) at \(ApprovalRequest.time(r.createdAt)); expires \(ApprovalRequest.time(r.expiresAt))\n"
        out += "  risk      \(r.risk.rawValue): needs \(r.required) approval\(r.required == 1 ? "" : "s") by someone else (\(have) so far)\n"
        if let plan {
            out += "  will run  \(plan.display)\n"
            if let q = plan.question { out += "  question  \(q)\n" }
            if case .object(let inputs) = plan.inputs, !inputs.isEmpty {
                out += "  inputs    " + inputs.pairs.map { "\($0.key)=\($0.value.interpolated)" }.joined(separator: " ") + "\n"
            }
            if !plan.alreadyDone.isEmpty { out += "  already done before this request: \(plan.alreadyDone.joined(separator: ", "))\n" }
            out += plan.findings.isEmpty ? "  findings  none: the action reads no earlier step\n" : "  findings that led to it:\n"
            for f in plan.findings {
                // Its heading wrapped to the width too: a long title (a team's own words) fits 80 columns.
                let heading = "\(f.step)\(f.title == f.step ? "" : " — \(f.title)")"
                let badge = "[\(f.status.uppercased())] "
                for (i, line) in ResultTable.wrap(heading, width: width - 4 - badge.count).enumerated() {
                    out += i == 0 ? "    [\(colour(f.status))] \(line)\n" : "    \(String(repeating: " ", count: badge.count))\(line)\n"
                }
                let table = f.excerpt.flatMap { ResultTable(excerpt: $0, highlight: ResultTable.highlights(in: (f.values + f.evidence).map(\.path), step: f.step)) }
                let read = f.values.map { v in
                    // Whole rows read (`pluck(steps.x.result.rows, ...)`) are the table below, not a line of JSON.
                    if table != nil, v.path == "steps.\(f.step).result.rows" { return "reads \(v.path): the rows below" }
                    return "\(v.path) = \(v.value.stringValue ?? JSON.encode(v.value))"
                } + f.evidence.map { "\(f.status) as \($0.path) = \($0.value.stringValue ?? JSON.encode($0.value))" }
                for line in read.flatMap({ ResultTable.wrap($0, width: width - 8) }) { out += "        \(line)\n" }
                guard let excerpt = f.excerpt, !excerpt.isEmpty else { continue }
                if let table {
                    for line in table.text(width: width - 8, color: color) { out += "        \(line)\n" }
                } else {
                    // Other output (a shell's, an HTTP body) as text, wrapped to the width too.
                    for line in excerpt.split(separator: "\n", omittingEmptySubsequences: false).prefix(6) {
                        for piece in ResultTable.wrap(String(line), width: width - 10) { out += "        | \(piece)\n" }
                    }
                }
            }
        } else if let standing = StandingApproval(json: r.plan) {
            out += "  standing  every scheduled run of \(standing.runbook) in \(standing.environment) until \(ApprovalRequest.time(standing.until)) passes the gates of:\n"
            out += "            \(standing.actions.joined(separator: ", "))\n"
            out += "  runbook   sha256 \(standing.runbookSHA256) (any edit of the file voids it)\n"
            out += "  bounds    \(standing.bounds.isEmpty ? "none" : standing.bounds.map(\.description).joined(separator: " "))\n"
        } else {
            out += "  (the stored plan cannot be read by this binary)\n"
        }
        out += "  digest    \(r.digest)\n"
        for d in loaded.decisions {
            out += "  \(d.decision.verdict.rawValue) by \(d.decision.approver) at \(ApprovalRequest.time(d.decision.decidedAt))"
                + (d.decision.comment.isEmpty ? "" : ": \(d.decision.comment)") + (d.verified ? "" : paint(" (SIGNATURE DOES NOT VERIFY)", "31;1")) + "\n"
        }
        return out
    }

    /// The plan in one sentence, for someone with ten seconds: who asks to run what, and why
    /// (the red, yellow or failed steps it read, by name and value; every step read when none is).
    public static func sentence(_ r: ApprovalRequest, plan: ApprovalPlan?) -> String {
        var text = "\(r.requester) asks to run \(r.action) (\(r.risk.rawValue) risk) of \(r.runbook) in \(r.environment)"
        guard let plan else { return text + "." }
        if plan.findings.isEmpty { return text + "; it reads no earlier step." }
        let bad = plan.findings.filter { ["red", "yellow", "error", "failed"].contains($0.status) }
        let reasons = (bad.isEmpty ? plan.findings : bad).map { f -> String in
            let values = (f.values + f.evidence).compactMap { v -> String? in
                switch v.value {
                case .list, .object, .null: return nil
                default: return "\(v.path.split(separator: ".").last ?? "") = \(v.value.interpolated)"
                }
            }
            return "\(f.step) is \(f.status.uppercased())" + (values.isEmpty ? "" : " (\(values.prefix(3).joined(separator: ", ")))")
        }
        text += ", because " + reasons.joined(separator: " and ")
        return text + "."
    }
}
