import ETLCore
import Foundation
import HummingbirdTesting
import PostgresNIO
import Testing

/// A slow file is a busy worker, not a dead one; and only the worker that holds a file's claim
/// may complete it. Both with real slowness: the test holds a lock on `cattle_lot`, so the
/// worker's load of a file waits in PostgreSQL as long as the test wants (no fault flag).
@Suite("Worker: heartbeat while busy, one claim completes a file")
struct WorkerClaimTests {
    @Test("a file slower than the heartbeat timeout: /health stays ok and names the file; the file then loads")
    func slowFileIsBusyNotDead() async throws {
        try await ServiceHarness.run { harness in
            #expect(try await eventually { try await harness.request(.get, "/health").status == .ok })
            let id = try await harness.database.withClient { client in
                try await client.withTransaction(logger: TestDatabase.logger) { connection in
                    try await connection.query("LOCK TABLE cattle_lot IN ACCESS EXCLUSIVE MODE", logger: TestDatabase.logger)
                    let id = try await harness.upload("lento.csv", validCSV(rows: 30))
                    #expect(try await Self.lockWaiters(harness.database, count: 1), "the worker's load never waited on the lock")
                    // Four heartbeat timeouts (600 ms each) with the file still in the database's
                    // hands: the worker is busy all along, never "not alive".
                    let until = ContinuousClock.now + .milliseconds(2400)
                    var answers = 0
                    var notBusy: [String] = []
                    while ContinuousClock.now < until {
                        let health = try await harness.request(.get, "/health")
                        let worker = health.json["worker"] as? [String: Any]
                        if health.status != .ok || worker?["alive"] as? Bool != true || worker?["processing_file_id"] as? Int != id {
                            notBusy.append(health.text)
                        }
                        answers += 1
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    #expect(notBusy.isEmpty, "\(notBusy.count) of \(answers) answers not ok/busy on file \(id), first: \(notBusy.first ?? "")")
                    #expect(try await harness.status(ofFile: id) == "processing", "the lock did not hold the file")
                    let seconds = try #require(((try await harness.request(.get, "/health")).json["worker"] as? [String: Any])?["processing_seconds"] as? Double)
                    #expect(seconds >= 2.4)
                    return id
                }
            }
            let file = try await harness.waitUntilFinished(id)
            #expect(file["status"] as? String == "loaded" && file["rows_loaded"] as? Int == 30)
            #expect(try await eventually {
                let worker = try await harness.request(.get, "/health").json["worker"] as? [String: Any]
                return worker?["alive"] as? Bool == true && worker?["processing_file_id"] == nil
            })
        }
    }

    @Test("two etl-core instances on one database: a claim lost while loading (re-queued, reclaimed) does not complete")
    func lostClaimDoesNotComplete() async throws {
        // Two valid rows and two rejected ones: a second completion would show in cattle_lot
        // and in the DLQ (rejected rows are added on every completion, never replaced).
        let csv = "farm,lot,head_count,weight_kg,price\nf,L1,10,400,100\nf,L2,dez,400,100\nf,L3,12,410,120\nf,L4,10,-1,100\n"
        try await ServiceHarness.run { first in
            #expect(try await eventually { try await first.request(.get, "/health").status == .ok })
            let id = try await first.database.withClient { client in
                try await client.withTransaction(logger: TestDatabase.logger) { connection in
                    try await connection.query("LOCK TABLE cattle_lot IN ACCESS EXCLUSIVE MODE", logger: TestDatabase.logger)
                    let id = try await first.upload("duas-vezes.csv", csv)
                    // The first instance claimed it and waits on the lock: to an operator it is a
                    // file stuck in processing, which the pending-files runbook re-queues.
                    #expect(try await Self.lockWaiters(first.database, count: 1), "the first worker never waited on the lock")
                    let requeued = try await first.request(.post, "/files/\(id)/reprocess")
                    #expect(requeued.json["previous_status"] as? String == "processing")
                    // A second instance on the same database claims it again and waits too.
                    try await ServiceHarness.run(on: first.database) { second in
                        #expect(try await Self.lockWaiters(first.database, count: 2), "the second worker never waited on the lock")
                        #expect(try await first.database.scalar("SELECT attempts FROM etl_file WHERE id = \(id) AND status = 'processing'") == 2)
                        // Both go on once the lock is gone (the COMMIT of withTransaction at the
                        // end then only warns), while the second instance still runs.
                        try await connection.query("COMMIT", logger: TestDatabase.logger)
                        let file = try await second.waitUntilFinished(id)
                        #expect(file["status"] as? String == "loaded")
                        #expect(try await eventually {
                            first.logLines("etl-service.log").contains { $0.contains("file_id=\(id) claim lost") }
                        }, "the first worker did not report its lost claim")
                        // Its log line is written after the commit the API already shows: polled.
                        #expect(try await eventually {
                            second.logLines("etl-service.log").contains { $0.contains("file_id=\(id) loaded") }
                        }, "the second worker did not log its load")
                    }
                    return id
                }
            }
            #expect(!first.logLines("etl-service.log").contains { $0.contains("file_id=\(id) loaded") }, "the lost claim loaded the file")
            #expect(try await first.database.scalar("SELECT count(*) FROM cattle_lot WHERE file_id = \(id)") == 2)
            #expect(try await first.database.scalar("SELECT count(*) FROM etl_dead_letter_queue WHERE file_id = \(id)") == 2)
            #expect(try await first.database.scalar("SELECT rows_loaded FROM etl_file WHERE id = \(id)") == 2)
        }
    }

    /// Waits until `count` sessions of the test database wait on a lock.
    static func lockWaiters(_ database: TestDatabase, count: Int) async throws -> Bool {
        try await eventually {
            try await database.scalar("""
                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                """) == count
        }
    }
}
