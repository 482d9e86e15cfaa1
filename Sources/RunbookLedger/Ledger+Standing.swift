import PostgresNIO
public import RunbookCore

extension Ledger {
    /// A gate of a run passed by a standing approval, as its records say.
    public struct StandingGate: Sendable {
        /// The run and the action.
        public var runID: String
        public var step: String
        /// When the gate passed (the record's time), seconds since 1970.
        public var at: Int
        /// The standing approval's request id.
        public var requestID: String
        /// The runbook's SHA-256 in the run's `run.started` record ("" when missing).
        public var runbookSHA256: String
        /// Each bounded value the runner read at the gate.
        public var values: [(path: String, value: Value)]
    }

    /// Every gate the ledger's records say a standing approval passed, oldest first.
    public func standingGates(limit: Int = 10_000) async throws(LedgerError) -> [StandingGate] {
        try await run("reading the gates passed by standing approvals") {
            var out: [StandingGate] = []
            for try await (runID, step, at, approval, sha) in try await connection.query("""
                SELECT g.run_id, g.line::jsonb->>'step', extract(epoch FROM g.ts)::bigint, (g.line::jsonb->'approval')::text,
                       coalesce((SELECT s.line::jsonb->>'runbook_sha256' FROM runbook.records s WHERE s.run_id = g.run_id AND s.event = 'run.started' LIMIT 1), '')
                  FROM runbook.records g
                 WHERE g.event = 'gate.decision' AND g.line::jsonb->>'decision' = 'approved' AND g.line::jsonb->'approval' ? 'standing'
                 ORDER BY g.ts, g.seq LIMIT \(limit)
                """, logger: Self.logger).decode((String, String, Int, String, String).self) {
                let value = (try? JSON.parse(approval, exactDecimals: true)) ?? .null
                var values: [(String, Value)] = []
                if case .list(let list)? = value["standing"]?["values"] {
                    for v in list { if let path = v["path"]?.stringValue { values.append((path, v["value"] ?? .null)) } }
                }
                out.append(StandingGate(runID: runID, step: step, at: at, requestID: value["request_id"]?.stringValue ?? "", runbookSHA256: sha, values: values))
            }
            return out
        }
    }
}
