public import Foundation

/// What incident templates (`templates/incident-*.md`) see: `incident`, one object with the
/// incident's fields, its clock (minutes, duration), the escalation in force, the last linked
/// run, and what the message is about (`event`: a status update's words, the level escalated
/// to). Pure; the CLI renders and posts.
public enum IncidentMessage {
    /// The scope for `incident` at `now`. `lastRun` is the newest `run` event (nil: none yet);
    /// `event` carries the fields of the message being posted.
    public static func scope(_ incident: Incident, now: Date, ladder: Escalation?, lastRun: IncidentEvent? = nil,
                             event: [(String, Value)] = []) -> ExpressionScope
    {
        let minutes = incident.minutes(at: now)
        func text(_ s: String?) -> Value { s.map { .string($0) } ?? .null }
        let run: Value = lastRun.map { r in
            .object([
                ("id", text(r.runID)), ("runbook", r.details["runbook"] ?? .null), ("mode", r.details["mode"] ?? .null),
                ("status", r.details["status"] ?? .null), ("findings", r.details["findings"] ?? "- none"),
                ("actions", r.details["actions"] ?? "- none"), ("at", .string(UTCTime.minutes(r.at))),
                ("minutes_ago", .int(max(0, Int(now.timeIntervalSince(r.at) / 60)))),
            ])
        } ?? .null
        let summary = lastRun.map { r in
            let mode = r.details["mode"]?.stringValue == "dry-run" ? " (dry run)" : ""
            return "Last run: \(r.details["runbook"]?.stringValue ?? "?")\(mode) \((r.details["status"]?.stringValue ?? "?").uppercased())"
                + " at \(UTCTime.minutes(r.at)), run \(r.runID ?? "?")\nFindings:\n\(r.details["findings"]?.stringValue ?? "- none")"
                + "\nActions:\n\(r.details["actions"]?.stringValue ?? "- none")"
        } ?? "Last run: none yet (run the scenario's runbook with --incident \(incident.id))"
        let value: Value = .object([
            ("id", .string(incident.id)), ("title", .string(incident.title)), ("severity", .string(incident.severity)),
            ("environment", .string(incident.environment)), ("commander", .string(incident.openedBy)),
            ("impact", .string(incident.impact.isEmpty ? "under assessment" : incident.impact)),
            ("affected_services", .string(incident.affectedServices)),
            ("status", .string(incident.status.display)), ("channel", .string(incident.channelName)),
            ("started_at", .string(UTCTime.minutes(incident.startedAt))), ("now", .string(UTCTime.minutes(now))),
            ("minutes", .int(minutes)), ("duration", .string(IncidentCadence.durationText(minutes: minutes))),
            ("last_update_at", .string(UTCTime.minutes(incident.lastUpdateAt))),
            ("minutes_since_update", .int(max(0, Int(now.timeIntervalSince(incident.lastUpdateAt) / 60)))),
            ("resolved_at", incident.resolvedAt.map { .string(UTCTime.minutes($0)) } ?? .null),
            ("postmortem_due", incident.resolvedAt.map { .string(UTCTime.minutes($0.addingTimeInterval(IncidentCadence.postmortemDelay))) } ?? .null),
            ("root_cause", text(incident.rootCause)), ("resolution", text(incident.resolution)), ("prevention", text(incident.prevention)),
            ("escalation", ladder?.value(minutes: minutes) ?? .null),
            ("last_run", run), ("last_run_summary", .string(summary)),
            ("event", .object(event)),
        ])
        return ExpressionScope(["incident": value])
    }

    /// `2025-01-15 14:05 UTC`: how incident messages show a time.
    public static func time(_ date: Date) -> String { UTCTime.minutes(date) }

    /// The reminder's automatic status update: what the last linked run found, in one line.
    public static func automaticStatus(_ run: IncidentEvent?) -> String {
        guard let run else { return "no runbook has run for this incident yet" }
        let mode = run.details["mode"]?.stringValue == "dry-run" ? " (dry run)" : ""
        let status = (run.details["status"]?.stringValue ?? "?").uppercased()
        let findings = (run.details["findings"]?.stringValue ?? "").split(separator: "\n").count
        let what = status == "GREEN" ? "all checks green" : "\(findings) finding\(findings == 1 ? "" : "s") (below)"
        return "\(run.details["runbook"]?.stringValue ?? "?")\(mode) was \(status) at \(UTCTime.minutes(run.at)): \(what)"
    }

    /// `run.incident` in a linked run's templates: id, title, severity, channel, start.
    public static func runValue(_ incident: Incident) -> Value {
        .object([
            ("id", .string(incident.id)), ("title", .string(incident.title)), ("severity", .string(incident.severity)),
            ("channel", .string(incident.channelName)), ("started_at", .string(UTCTime.minutes(incident.startedAt))),
            ("commander", .string(incident.openedBy)), ("affected_services", .string(incident.affectedServices)),
        ])
    }

    /// A linked run's timeline facts: runbook, mode, status, exit code, its findings and actions as
    /// lines (what `remind` turns into an automatic status update).
    public static func runDetails(_ report: RunReport) -> Value {
        let effective = report.effectiveSteps
        let findings = effective.filter { $0.kind == .check && $0.status != .green && $0.status != .skipped }
            .map { "- \($0.title): \($0.status.rawValue.uppercased())" + ($0.message.map { " (\($0))" } ?? "") }
        let actions = report.steps.filter { $0.kind == .action && $0.status != .skipped }
            .map { "- \($0.title): \($0.status.rawValue)" }
        return .object([
            ("runbook", .string(report.runbook)), ("mode", .string(report.mode)), ("status", .string(report.status.rawValue)),
            ("exit_code", .int(Int(report.exitCode))),
            ("findings", .string(findings.isEmpty ? "- all checks green" : findings.joined(separator: "\n"))),
            ("actions", .string(actions.isEmpty ? "- none" : actions.joined(separator: "\n"))),
        ])
    }
}
