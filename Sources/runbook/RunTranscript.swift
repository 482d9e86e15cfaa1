import Foundation
import RunbookCore
import RunbookLedger

/// One run told from its audit records (`runbook runs show`): who ran what, where, with which
/// inputs; then every step in order with its command, gate decision, status, duration and
/// output excerpt; then how it ended. The records are already redacted; they are read once,
/// into the ``RunTimeline`` the console's run page shows too.
enum RunTranscript {
    static func render(_ records: [ValueObject], active: Bool) -> String {
        // Steps of a group run at once and their records interleave: the timeline keeps each
        // step's together, in the order the steps began.
        let timeline = RunTimeline(records)
        let events = timeline.runEvents + timeline.steps.flatMap(\.events) + timeline.endEvents
        var out = ""
        for e in events { out += line(e) }
        if timeline.endEvents.isEmpty {
            out += active ? "\nstill running\n" : "\nunfinished: no end was recorded and the run is no longer connected (killed, or its end has not reached the ledger yet)\n"
        }
        return out
    }

    /// What one record adds to the transcript.
    static func line(_ e: RunEvent) -> String {
        func text(_ s: String?) -> String { s ?? "?" }
        func duration(_ ms: Int?) -> String { ms.map { DurationText.format(.milliseconds($0)) } ?? "?" }
        switch e.kind {
        case .runStarted(let s):
            var out = "run \(text(s.runID)): \(text(s.runbook)) on \(text(s.environment)) (\(text(s.mode)))\n"
            out += "  operator \(text(s.operatorName)) on \(text(s.host)), started \(text(e.at))\n"
            out += "  runbook file \(text(s.runbookPath)) sha256 \(text(s.runbookSHA256))\n"
            if let lock = s.runLock { out += "  run lock: \(lock)\n" }
            if !s.inputs.isEmpty { out += "  inputs: " + s.inputs.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + "\n" }
            return out
        case .stepStarted(let kind, let command, let planned):
            return "\n  [\(text(e.step))] \(text(kind)) \(planned ? "would run" : "runs"): \(RunTimeline.commandLine(command) ?? "")\n"
        case .gate(let g, _):
            var line = "    gate (\(g.risk)): \(g.decision) by \(g.by) via \(g.how)"
            if let q = g.question { line += " — asked: \(q)" }
            return line + "\n"
        case .stepSkipped(let reason):
            return "\n  [\(text(e.step))] skipped: \(text(reason))\n"
        case .stepEnded(let end):
            var out = "    \(text(e.step)): \(text(end.status)) in \(duration(end.durationMs))"
            if let attempts = end.attempts, attempts > 1 { out += " after \(attempts) attempts" }
            out += "\n"
            if let message = end.message, !message.isEmpty { out += "      \(message)\n" }
            if let excerpt = end.excerpt, !excerpt.isEmpty {
                for line in excerpt.split(separator: "\n", omittingEmptySubsequences: false).prefix(12) { out += "      | \(line)\n" }
            }
            return out
        case .runEnded(let end):
            var out = "\nended \(text(e.at)): \(text(end.status)) (exit \(end.exitCode.map(String.init) ?? "?")) in \(duration(end.durationMs))"
            if let m = end.message, !m.isEmpty { out += ": \(m)" }
            return out + "\n"
        case .approvalStale, .other:
            return "  \(text(e.at)) \(e.name)\n"
        }
    }
}
