import Foundation
import PostgresNIO

extension Ledger {
    /// Stores `checkpoint` (once: a second copy of the same seq is skipped).
    public func insert(checkpoint c: LedgerCheckpoint) async throws(LedgerError) {
        try await run("writing the checkpoint") {
            try await connection.query("""
                INSERT INTO runbook.checkpoints (source_id, seq, hash, previous, principal, run_id, signed_at, signature)
                VALUES (\(c.source), \(c.seq), \(c.hash), \(c.previous), \(c.principal), \(c.runID), \(c.signedAt), \(c.signature))
                ON CONFLICT (source_id, seq) DO NOTHING
                """, logger: Self.logger)
        }
    }

    /// Every checkpoint, by source and seq.
    public func checkpoints() async throws(LedgerError) -> [LedgerCheckpoint] {
        try await run("reading checkpoints") {
            let rows = try await connection.query("""
                SELECT source_id, seq, hash, previous, principal, run_id, signed_at, signature
                  FROM runbook.checkpoints ORDER BY source_id, seq
                """, logger: Self.logger)
            var all: [LedgerCheckpoint] = []
            for try await row in rows {
                let c = try row.decode((String, Int, String, String, String, String?, String, String).self)
                all.append(LedgerCheckpoint(source: c.0, seq: c.1, hash: c.2, previous: c.3, principal: c.4, runID: c.5, signedAt: c.6, signature: c.7))
            }
            return all
        }
    }
}
