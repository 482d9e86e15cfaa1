/// `--format json`: one object with run_id, runbook, environment, mode, status and steps.
public enum JSONReport {
    /// The report as a value: `run_id`, `runbook`, `title`, `environment`, `mode`, `status`,
    /// `exit_code`, `started_at`, `duration_ms`, `message` (only when set) and `steps`, each with
    /// `id`, `kind`, `title`, `status`, `duration_ms`, `attempts`, `command` and `message` (when
    /// set), `supersedes` (when it ran) and `result`. Holds what the report holds, already redacted.
    public static func value(_ report: RunReport) -> Value {
        var o: [(String, Value)] = [
            ("run_id", .string(report.runID)), ("runbook", .string(report.runbook)), ("title", .string(report.title)),
            ("environment", .string(report.environment)), ("mode", .string(report.mode)), ("status", .string(report.status.rawValue)),
            ("exit_code", .int(Int(report.exitCode))), ("started_at", .string(AuditLog.timestamp(report.startedAt))),
            ("duration_ms", .int(report.durationMs)),
        ]
        if let m = report.message { o.append(("message", .string(m))) }
        o.append(("steps", .list(report.steps.map(step))))
        return .object(o)
    }

    static func step(_ s: StepReport) -> Value {
        var o: [(String, Value)] = [
            ("id", .string(s.id)), ("kind", .string(s.kind.rawValue)), ("title", .string(s.title)), ("status", .string(s.status.rawValue)),
            ("duration_ms", .int(s.durationMs)), ("attempts", .int(s.attempts)),
        ]
        if let c = s.command { o.append(("command", .string(c))) }
        if let m = s.message { o.append(("message", .string(m))) }
        if let earlier = s.supersedes, s.status != .skipped { o.append(("supersedes", .string(earlier))) }
        o.append(("result", s.result))
        return .object(o)
    }

    /// ``value(_:)`` as pretty-printed JSON (two-space indent, keys in the order above).
    public static func render(_ report: RunReport) -> String { JSON.encode(value(report), pretty: true) }
}
