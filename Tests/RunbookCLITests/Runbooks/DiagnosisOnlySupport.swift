import Foundation
import Testing

/// Helpers for the runbooks that only diagnose (daily-health-check, sla-report, log-analysis,
/// processing-performance): they must give the same colours dry and live and change nothing.
enum DiagnosisOnly {
    /// A fingerprint of what a runbook could change: every file, DLQ entry and index that
    /// existed before `cutoff` (etl-core's worker may go on with newer files while we look).
    static func fingerprint(_ sandbox: Sandbox, cutoff: String) throws -> String {
        try sandbox.psql("""
            SELECT (SELECT md5(coalesce(string_agg(id || ':' || status || ':' || attempts || ':' || updated_at::text, ',' ORDER BY id), ''))
                      FROM etl_file WHERE uploaded_at < '\(cutoff)')
                || ' ' || (SELECT md5(coalesce(string_agg(id || ':' || resolved, ',' ORDER BY id), ''))
                      FROM etl_dead_letter_queue WHERE created_at < '\(cutoff)')
                || ' ' || (SELECT coalesce(string_agg(indexname, ',' ORDER BY indexname), '')
                      FROM pg_indexes WHERE tablename LIKE 'etl\\_%')
            """)
    }

    /// A cutoff ten minutes before now, as PostgreSQL text.
    static func cutoff(_ sandbox: Sandbox) throws -> String {
        try sandbox.psql("SELECT (now() - interval '10 minutes')::text")
    }

    /// Runs `runbook run ID --format json` (dry or live) and returns the output, its report and step statuses.
    static func run(_ sandbox: Sandbox, _ id: String, dryRun: Bool, audit: String, extra args: [String] = [],
                    env: [String: String] = [:]) throws -> (output: CLITests.Output, report: [String: Any], status: [String: String])
    {
        let output = try sandbox.runbook(["run", id] + (dryRun ? ["--dry-run"] : ["--operator", "oncall"]) + ["--format", "json"] + args,
                                         audit: audit, extra: env)
        let report = try Sandbox.report(output)
        return (output, report, Sandbox.statuses(report))
    }

    /// A runbook without remediation, dry then live: the same exit code both times, the same
    /// status for each of `compare`, the database unchanged, the audit log intact. Returns the
    /// dry run's report and statuses.
    static func dryThenLive(_ sandbox: Sandbox, _ id: String, compare: [String], expectCode: Int32,
                            sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> (report: [String: Any], status: [String: String])
    {
        let audit = Sandbox.auditPath()
        let cutoff = try cutoff(sandbox)
        let before = try fingerprint(sandbox, cutoff: cutoff)
        let dry = try run(sandbox, id, dryRun: true, audit: audit)
        #expect(dry.output.code == expectCode, "\(dry.output.stdout)\(dry.output.stderr)", sourceLocation: sourceLocation)
        let live = try run(sandbox, id, dryRun: false, audit: audit)
        #expect(live.output.code == expectCode, "\(live.output.stdout)\(live.output.stderr)", sourceLocation: sourceLocation)
        for check in compare {
            #expect(dry.status[check] == live.status[check], "\(check): dry \(dry.status[check] ?? "-") live \(live.status[check] ?? "-")",
                    sourceLocation: sourceLocation)
        }
        #expect(try fingerprint(sandbox, cutoff: cutoff) == before, "the runbook changed the database", sourceLocation: sourceLocation)
        #expect(try sandbox.auditIntact(audit), sourceLocation: sourceLocation)
        return (dry.report, dry.status)
    }

    /// The `result` object of step `id` in a JSON report.
    static func result(_ report: [String: Any], _ id: String) -> [String: Any] {
        let steps = report["steps"] as? [[String: Any]] ?? []
        return steps.first { $0["id"] as? String == id }?["result"] as? [String: Any] ?? [:]
    }

    /// The first row of an SQL step's result.
    static func firstRow(_ report: [String: Any], _ id: String) -> [String: Any] {
        (result(report, id)["rows"] as? [[String: Any]])?.first ?? [:]
    }

    /// The stdout of a shell step's result.
    static func stdout(_ report: [String: Any], _ id: String) -> String {
        result(report, id)["stdout"] as? String ?? ""
    }

    /// A number from a JSON value (Int or Double).
    static func number(_ value: Any?) -> Double? {
        if let d = value as? Double { return d }
        if let i = value as? Int { return Double(i) }
        if let n = value as? NSNumber { return n.doubleValue }
        if let s = value as? String { return Double(s) }
        return nil
    }

    /// `key=NUMBER` from a shell step's summary line, or `"key": NUMBER` from the JSON
    /// object a shell check prints (`result.json`).
    static func field(_ text: String, _ key: String) -> Double? {
        guard let range = text.range(of: "\(key)=") ?? text.range(of: "\"\(key)\": ") else { return nil }
        let digits = text[range.upperBound...].prefix { $0.isNumber || $0 == "." }
        return Double(digits)
    }

    /// The `message` a notify step rendered (planned in a dry run, delivered in a live one).
    static func notifyMessage(_ report: [String: Any], _ id: String) -> String {
        result(report, id)["message"] as? String ?? ""
    }
}
