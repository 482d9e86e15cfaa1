import Foundation
import RunbookCore
import RunbookDrivers
import RunbookLedger

/// `audit verify`'s approvals part (issue 11): every approval's signature, and that every action
/// that needed approval ran only after enough valid approvals of the digest it ran with.
enum ApprovalAudit {
    /// Checks the local log's runs: each `gate.decision` passed by four-eyes approval carries the
    /// approvals it ran with; each is verified (`ssh-keygen -Y verify` over the request id and the
    /// digest the run computed), counted (distinct, not the requester) against `required`; with a
    /// policy, every action of a live run in `environment` that needs approval must have started
    /// only after such a gate. Returns the findings and how many gates were checked.
    static func verifyLocal(records: [ValueObject], allowedSigners: String, environment: Environment?) async -> (problems: [String], gates: Int) {
        let keygen = SSHKeygen()
        var problems: [String] = []
        var gates = 0
        var runEnvironment: [String: String] = [:]
        var runbookOf: [String: String] = [:]
        var passed = Set<String>()  // "run/step" passed by valid four-eyes approvals
        let policy = environment?.approvalPolicy
        for r in records {
            let run = r["run_id"]?.stringValue ?? "?"
            let seq = r["seq"].map { $0.interpolated } ?? "?"
            switch r["event"]?.stringValue {
            case "run.started":
                if r["mode"]?.stringValue == "live" { runEnvironment[run] = r["environment"]?.stringValue }
                runbookOf[run] = r["runbook"]?.stringValue
            case "gate.decision":
                guard r["decision"]?.stringValue == "approved", let approval = r["approval"], approval["approvals"] != nil else { continue }
                gates += 1
                let step = r["step"]?.stringValue ?? "?"
                let requestID = approval["request_id"]?.stringValue ?? "?"
                let digest = approval["digest"]?.stringValue ?? ""
                let requester = approval["requester"]?.stringValue ?? ""
                let required: Int = if case .int(let n) = approval["required"] ?? .null { n } else { 1 }
                var valid = Set<String>()
                if case .list(let items) = approval["approvals"] ?? .null {
                    for a in items {
                        let decision = ApprovalDecision(requestID: requestID, approver: a["approver"]?.stringValue ?? "", verdict: .approved,
                                                        comment: a["comment"]?.stringValue ?? "", decidedAt: { if case .int(let t) = a["decided_at"] ?? .null { t } else { 0 } }(),
                                                        signature: a["signature"]?.stringValue ?? "",
                                                        via: a["via"]?.stringValue == "console" ? .console : .cli, signer: a["signer"]?.stringValue)
                        do {
                            try await keygen.verify(message: Array(decision.signedText(digest: digest).utf8), signature: decision.signature,
                                                    principal: decision.signingPrincipal, allowedSigners: allowedSigners)
                            if decision.approver != requester { valid.insert(decision.approver) }
                        } catch {
                            problems.append("seq \(seq) (run \(run)): the approval of '\(step)' by \(decision.approver) (request \(requestID)) does not verify over digest \(digest): \(error.message)")
                        }
                    }
                }
                if valid.count < required {
                    problems.append("seq \(seq) (run \(run)): '\(step)' passed its gate with \(valid.count) valid approval\(valid.count == 1 ? "" : "s") of \(required) required (request \(requestID))")
                } else {
                    passed.insert("\(run)/\(step)")
                }
            case "step.started":
                guard r["kind"]?.stringValue == "action", let policy, let env = environment, runEnvironment[run] == env.name,
                      let step = r["step"]?.stringValue else { continue }
                let needed = policy.required[Step.Risk(rawValue: riskOf(records, run: run, step: step)) ?? .low] ?? 0
                if needed > 0, !passed.contains("\(run)/\(step)") {
                    problems.append("seq \(seq) (run \(run)): action '\(step)' of \(runbookOf[run] ?? "?") started in \(env.name) without the \(needed) valid approval\(needed == 1 ? "" : "s") its policy requires")
                }
            default:
                continue
            }
        }
        return (problems, gates)
    }

    /// The risk its gate recorded for `step` in `run` ("" when it had no gate record).
    static func riskOf(_ records: [ValueObject], run: String, step: String) -> String {
        records.last { $0["run_id"]?.stringValue == run && $0["event"]?.stringValue == "gate.decision" && $0["step"]?.stringValue == step }?["risk"]?.stringValue ?? ""
    }
}
