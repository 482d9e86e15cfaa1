import Foundation
import PostgresNIO
public import RunbookCore

extension Ledger {
    /// Stores `checkpoint` once; returns false when the ledger already held it (a copy sent
    /// again: the same seq and previous checkpoint). The ledger keeps its fields as they were signed (`time` as
    /// `signed_at`), so its signature still verifies.
    @discardableResult
    public func insert(checkpoint c: Checkpoint) async throws(LedgerError) -> Bool {
        try await run("writing the checkpoint") {
            let rows = try await connection.query("""
                INSERT INTO runbook.checkpoints (source_id, seq, hash, previous, principal, run_id, signed_at, signature)
                VALUES (\(c.source), \(c.seq), \(c.hash), \(c.previous), \(c.principal), \(c.runID), \(c.time), \(c.signature))
                ON CONFLICT (source_id, seq, previous) DO NOTHING
                RETURNING seq
                """, logger: Self.logger)
            var inserted = false
            for try await _ in rows { inserted = true }
            return inserted
        }
    }

    /// Every checkpoint, by source and seq.
    public func checkpoints() async throws(LedgerError) -> [Checkpoint] {
        try await run("reading checkpoints") {
            let rows = try await connection.query("""
                SELECT source_id, seq, hash, previous, principal, run_id, signed_at, signature
                  FROM runbook.checkpoints ORDER BY source_id, seq
                """, logger: Self.logger)
            var all: [Checkpoint] = []
            for try await row in rows {
                let c = try row.decode((String, Int, String, String, String, String?, String, String).self)
                all.append(Checkpoint(source: c.0, seq: c.1, hash: c.2, previous: c.3, principal: c.4, runID: c.5, time: c.6, signature: c.7))
            }
            return all
        }
    }
}
