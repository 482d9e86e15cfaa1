public import Foundation
public import RunbookCore

/// One run as the ledger knows it (`runbook runs`): from its `run.started` and `run.ended`
/// records, whoever ran it, wherever.
public struct LedgerRun: Sendable, Hashable {
    public var runID: String
    public var runbook: String?
    public var environment: String?
    /// `dry-run` or `live`.
    public var mode: String?
    public var operatorName: String?
    public var host: String?
    /// What became of the run lock (`held: KEY`, `not taken: ...`), when the run takes one.
    public var runLock: String?
    public var startedAt: Date?
    public var endedAt: Date?
    /// How the run ended (`green`, `red`, `aborted`, ...); nil while it has not ended. A value
    /// the ledger holds that no run writes reads as `error`.
    public var status: RunReport.Status?
    public var exitCode: Int?
    public var durationMs: Int?
    /// Whether its process is still connected to the ledger: going on now.
    public var active: Bool

    /// What to show for the status: the status, `running`, or `unfinished` (no end recorded
    /// and no longer connected: killed, or its end never reached the ledger).
    public var displayStatus: String {
        if let status { return status.rawValue }
        return active ? "running" : "unfinished"
    }
}

/// Which runs `runbook runs` lists.
public struct LedgerRunFilter: Sendable {
    public var environment: String?
    public var runbook: String?
    public var operatorName: String?
    public var status: String?
    /// Only runs started this long ago or less.
    public var since: Duration?
    /// Only runs going on now.
    public var activeOnly = false
    public var limit = 100

    /// Every run (the newest `limit`).
    public init() {}
}

extension LedgerRun {
    /// The run as `runs --format json` prints it and the console's `/api/runs` answers.
    public var json: Value {
        var o = ValueObject()
        o["run_id"] = .string(runID)
        o["runbook"] = runbook.map(Value.string) ?? .null
        o["environment"] = environment.map(Value.string) ?? .null
        o["mode"] = mode.map(Value.string) ?? .null
        o["operator"] = operatorName.map(Value.string) ?? .null
        o["host"] = host.map(Value.string) ?? .null
        o["started_at"] = startedAt.map { .string(AuditLog.timestamp($0)) } ?? .null
        o["ended_at"] = endedAt.map { .string(AuditLog.timestamp($0)) } ?? .null
        o["status"] = .string(displayStatus)
        o["exit_code"] = exitCode.map(Value.int) ?? .null
        o["duration_ms"] = durationMs.map(Value.int) ?? .null
        o["active"] = .bool(active)
        o["run_lock"] = runLock.map(Value.string) ?? .null
        return .object(o)
    }
}
