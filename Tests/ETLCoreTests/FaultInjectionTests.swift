import ETLCore
import Foundation
import HummingbirdTesting
import PostgresNIO
import Testing

@Suite("Fault injection, visible through the API and the logs")
struct FaultInjectionTests {
    @Test("connection_error_rate: files fail with connection errors in the DB, the DLQ and errors.log; bulk reprocess repairs them")
    func connectionErrors() async throws {
        try await ServiceHarness.run { harness in
            let set = try await harness.request(.post, "/admin/faults", json: #"{"connection_error_rate": 1}"#)
            #expect(set.status == .ok && set.json["connection_error_rate"] as? Double == 1)
            var ids: [Int] = []
            for index in 1...3 { ids.append(try await harness.upload("c\(index).csv", validCSV(rows: 5))) }
            for id in ids {
                let file = try await harness.waitUntilFinished(id)
                #expect(file["status"] as? String == "error")
                #expect(file["error_type"] as? String == "connection")
                #expect((file["error_message"] as? String)?.hasPrefix("connection refused: upstream storage") == true)
            }
            #expect(try await harness.database.scalar(
                "SELECT count(*) FROM etl_dead_letter_queue WHERE error_type = 'connection' AND NOT resolved") == 3)
            let errorTypes = harness.logLines("errors.log").filter { $0.contains("ERROR") }.map { ServiceHarness.fields($0)[6] }
            #expect(errorTypes == ["connection", "connection", "connection"])

            #expect(try await harness.request(.delete, "/admin/faults").json["connection_error_rate"] as? Double == 0)
            let requeued = try await harness.request(.post, "/files/reprocess?error=connection&since_hours=4")
            #expect(requeued.json["requeued"] as? Int == 3)
            for id in ids {
                #expect(try await harness.waitUntilFinished(id)["status"] as? String == "loaded")
            }
            // A successful load settles the transient DLQ entries of its earlier attempt.
            #expect(try await harness.database.scalar("SELECT count(*) FROM etl_dead_letter_queue WHERE NOT resolved") == 0)
            #expect(try await harness.request(.post, "/files/reprocess?error=connection").json["requeued"] as? Int == 0)
        }
    }

    @Test("slow_ms: each file takes longer, logs SLOW_QUERY and a matching PROCESSING_TIME")
    func slow() async throws {
        try await ServiceHarness.run { harness in
            try await harness.request(.post, "/admin/faults", json: #"{"slow_ms": 400}"#)
            let id = try await harness.upload("slow.csv", validCSV(rows: 3))
            let file = try await harness.waitUntilFinished(id)
            #expect(file["status"] as? String == "loaded")
            // The log line is written as the file finishes: wait for it rather than race it.
            #expect(try await eventually { harness.logLines("etl-service.log").contains { $0.contains("SLOW_QUERY") } })
            let slowLine = try #require(harness.logLines("etl-service.log").first { $0.contains("SLOW_QUERY") })
            #expect(slowLine.contains("file_id=\(id)"))
            #expect(try await eventually { harness.logLines("metrics.log").contains { $0.contains("slow.csv") } })
            let metric = try #require(harness.logLines("metrics.log").first { $0.contains("slow.csv") })
            let milliseconds = try #require(Int(ServiceHarness.fields(metric)[5]))
            #expect(milliseconds >= 400)
            // The time was spent in the database, where pg_stat_statements would see it.
            #expect(try await harness.database.scalar("""
                SELECT (extract(epoch FROM completed_at - processing_started_at) * 1000)::int FROM etl_file WHERE id = \(id)
                """) >= 400)
        }
    }

    @Test("worker_stopped: files stay uploaded and /health turns degraded (503); clearing restores both")
    func workerStopped() async throws {
        try await ServiceHarness.run { harness in
            #expect(try await eventually { try await harness.request(.get, "/health").status == .ok })
            try await harness.request(.post, "/admin/faults", json: #"{"worker_stopped": true}"#)
            let id = try await harness.upload("waiting.csv", validCSV(rows: 2))
            // stopped_by_fault is the worker's own word that it is idle: a claim that was on its
            // way when the fault was set has come back, and given the file back untouched.
            #expect(try await eventually {
                let health = try await harness.request(.get, "/health")
                let worker = health.json["worker"] as? [String: Any]
                return health.status == .serviceUnavailable && health.json["status"] as? String == "degraded"
                    && worker?["alive"] as? Bool == false && worker?["stopped_by_fault"] as? Bool == true
            })
            #expect(try await harness.status(ofFile: id) == "uploaded")
            #expect(try await harness.database.scalar("SELECT attempts FROM etl_file WHERE id = \(id)") == 0)

            try await harness.request(.delete, "/admin/faults")
            #expect(try await harness.waitUntilFinished(id)["status"] as? String == "loaded")
            #expect(try await eventually { try await harness.request(.get, "/health").json["status"] as? String == "ok" })
        }
    }

    @Test("worker_stopped set while a claim waits on the database: the file it then finds is given back untouched")
    func stoppedWhileClaiming() async throws {
        try await ServiceHarness.run { harness in
            #expect(try await eventually { try await harness.request(.get, "/health").status == .ok })
            let csv = validCSV(rows: 2)
            // The table locked, the worker's next claim waits for it; meanwhile a file arrives
            // (in the locking transaction) and the worker is stopped. The claim then finds it.
            let id = try await harness.database.withClient { client in
                try await client.withTransaction(logger: TestDatabase.logger) { connection in
                    try await connection.query("LOCK TABLE etl_file IN ACCESS EXCLUSIVE MODE", logger: TestDatabase.logger)
                    #expect(try await eventually {
                        try await harness.database.scalar("""
                            SELECT count(*) FROM pg_stat_activity
                             WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE etl_file AS f%'
                            """) == 1
                    }, "the worker's claim never waited on the lock")
                    var id = 0
                    for try await value in try await connection.query(
                        "INSERT INTO etl_file (filename, content) VALUES ('claimed-late.csv', \(csv)) RETURNING id",
                        logger: TestDatabase.logger).decode(Int.self) { id = value }
                    try await harness.request(.post, "/admin/faults", json: #"{"worker_stopped": true}"#)
                    return id
                }
            }
            #expect(try await eventually {
                let worker = try await harness.request(.get, "/health").json["worker"] as? [String: Any]
                return worker?["stopped_by_fault"] as? Bool == true
            })
            #expect(try await harness.status(ofFile: id) == "uploaded")
            #expect(try await harness.database.scalar("SELECT attempts FROM etl_file WHERE id = \(id)") == 0)
        }
    }

    @Test("stalled: requests hang until the fault is cleared; /admin/faults still answers")
    func stalled() async throws {
        try await ServiceHarness.run(worker: false) { harness in
            try await harness.request(.post, "/admin/faults", json: #"{"stalled": true}"#)
            let pending = Task { try await harness.request(.get, "/health") }
            let files = Task { try await harness.request(.get, "/files") }
            try await Task.sleep(for: .milliseconds(500))
            let faults = try await harness.request(.get, "/admin/faults")
            #expect(faults.json["stalled"] as? Bool == true)
            try await harness.request(.delete, "/admin/faults")
            let answered = try await pending.value
            #expect(answered.status == .serviceUnavailable || answered.status == .ok)
            #expect(try await files.value.status == .ok)
        }
    }

    @Test("stalled: a request held past the stall limit answers 503")
    func stallLimit() async throws {
        try await ServiceHarness.run(worker: false, configure: { $0.stallLimit = .milliseconds(300) }) { harness in
            try await harness.request(.post, "/admin/faults", json: #"{"stalled": true}"#)
            let clock = ContinuousClock()
            let start = clock.now
            let response = try await harness.request(.get, "/files")
            #expect(clock.now - start >= .milliseconds(300))
            #expect(response.status == .serviceUnavailable)
            #expect(response.json["error"] as? String == "service stalled")
        }
    }

    @Test("faults set at start (ETL_FAULTS) are in force before the worker's first poll")
    func initialFaults() async throws {
        try await ServiceHarness.run(configure: { $0.initialFaults = FaultSettings(workerStopped: true) }) { harness in
            let id = try await harness.upload("held.csv", validCSV(rows: 1))
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await harness.status(ofFile: id) == "uploaded")
            #expect(try await harness.request(.get, "/admin/faults").json["worker_stopped"] as? Bool == true)
        }
    }
}
