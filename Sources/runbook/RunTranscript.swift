import Foundation
import RunbookCore
import RunbookLedger

/// One run told from its audit records (`runbook runs show`): who ran what, where, with which
/// inputs; then every step in order with its command, gate decision, status, duration and
/// output excerpt; then how it ended. The records are already redacted.
enum RunTranscript {
    static func render(_ records: [ValueObject], active: Bool) -> String {
        // Steps of a group run at once and their records interleave: each step's together, in
        // the order the steps began.
        var order: [String] = []
        var byStep: [String: [ValueObject]] = [:]
        var runRecords: [ValueObject] = []
        for r in records {
            guard let step = r["step"]?.stringValue else {
                runRecords.append(r)
                continue
            }
            if byStep[step] == nil { order.append(step) }
            byStep[step, default: []].append(r)
        }
        let started = runRecords.filter { $0["event"]?.stringValue != "run.ended" }
        let ends = runRecords.filter { $0["event"]?.stringValue == "run.ended" }
        let sorted = started + order.flatMap { byStep[$0] ?? [] } + ends
        var out = ""
        func text(_ v: Value?) -> String { v.map { $0.interpolated } ?? "?" }
        var ended = false
        for r in sorted {
            switch r["event"]?.stringValue ?? "" {
            case "run.started":
                out += "run \(text(r["run_id"])): \(text(r["runbook"])) on \(text(r["environment"])) (\(text(r["mode"])))\n"
                out += "  operator \(text(r["operator"])) on \(text(r["host"])), started \(text(r["ts"]))\n"
                out += "  runbook file \(text(r["runbook_path"])) sha256 \(text(r["runbook_sha256"]))\n"
                if let lock = r["run_lock"]?.stringValue { out += "  run lock: \(lock)\n" }
                if case .object(let inputs)? = r["inputs"], !inputs.pairs.isEmpty {
                    out += "  inputs: " + inputs.pairs.map { "\($0.key)=\($0.value.interpolated)" }.joined(separator: " ") + "\n"
                }
            case "step.planned", "step.started":
                let verb = r["event"]?.stringValue == "step.planned" ? "would run" : "runs"
                out += "\n  [\(text(r["step"]))] \(text(r["kind"])) \(verb): \(command(r["command"]))\n"
            case "gate.decision":
                var line = "    gate (\(text(r["risk"]))): \(text(r["decision"])) by \(text(r["by"])) via \(text(r["how"]))"
                if let q = r["question"]?.stringValue { line += " — asked: \(q)" }
                out += line + "\n"
            case "step.skipped":
                out += "\n  [\(text(r["step"]))] skipped: \(text(r["reason"]))\n"
            case "step.ended":
                let ms = int(r["duration_ms"]).map { DurationText.format(.milliseconds($0)) } ?? "?"
                out += "    \(text(r["step"])): \(text(r["status"])) in \(ms)"
                if let attempts = int(r["attempts"]), attempts > 1 { out += " after \(attempts) attempts" }
                out += "\n"
                if let message = r["message"]?.stringValue, !message.isEmpty { out += "      \(message)\n" }
                if let excerpt = r["excerpt"]?.stringValue, !excerpt.isEmpty {
                    for line in excerpt.split(separator: "\n", omittingEmptySubsequences: false).prefix(12) { out += "      | \(line)\n" }
                }
            case "run.ended":
                ended = true
                let ms = int(r["duration_ms"]).map { DurationText.format(.milliseconds($0)) } ?? "?"
                out += "\nended \(text(r["ts"])): \(text(r["status"])) (exit \(text(r["exit_code"]))) in \(ms)"
                if let m = r["message"]?.stringValue, !m.isEmpty { out += ": \(m)" }
                out += "\n"
            default:
                out += "  \(text(r["ts"])) \(text(r["event"]))\n"
            }
        }
        if !ended { out += active ? "\nstill running\n" : "\nunfinished: no end was recorded and the run is no longer connected (killed, or its end has not reached the ledger yet)\n" }
        return out
    }

    static func int(_ v: Value?) -> Int? {
        if case .int(let i)? = v { return i }
        return nil
    }

    /// A rendered command as one line (shared with the console: ``RunTimeline/commandLine(_:)``).
    static func command(_ value: Value?) -> String { RunTimeline.commandLine(value) ?? "" }
}
