import ETLCore
import Foundation
import Testing

@Suite("Pipeline: upload, load, reject, reprocess, dead letter queue")
struct PipelineTests {
    @Test("an uploaded file is loaded by the worker: rows in cattle_lot, logs in the runbook's formats")
    func load() async throws {
        try await ServiceHarness.run { harness in
            let id = try await harness.upload("fazenda-teste_20261129.csv", validCSV(rows: 40))
            let file = try await harness.waitUntilFinished(id)
            #expect(file["status"] as? String == "loaded")
            #expect(file["rows_loaded"] as? Int == 40)
            #expect(file["completed_at"] is String && file["processing_started_at"] is String)
            #expect(try await harness.database.scalar("SELECT count(*) FROM cattle_lot WHERE file_id = \(id)") == 40)
            let stored = try await harness.database.strings(
                "SELECT format('%s|%s|%s|%s', lot, head_count, weight_kg, price) FROM cattle_lot WHERE file_id = \(id) ORDER BY id LIMIT 2")
            #expect(stored == ["L1|11|401.50|10001.25", "L2|12|402.50|10002.25"])

            let loadedLine = try #require(harness.logLines("etl-service.log").first { $0.contains("file_id=\(id) loaded") })
            let fields = ServiceHarness.fields(loadedLine)
            #expect(fields[3] == "INFO" && fields[4] == "worker" && fields[5] == "file_id=\(id)" && fields[7] == "rows=40")
            #expect(fields[1].range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil)
            let metric = try #require(harness.logLines("metrics.log").first)
            let metricFields = ServiceHarness.fields(metric)
            #expect(metricFields[3] == "PROCESSING_TIME" && metricFields[4] == "fazenda-teste_20261129.csv")
            #expect(Int(metricFields[5]) != nil)

            let list = try await harness.request(.get, "/files?status=loaded&limit=10").json
            #expect(list["count"] as? Int == 1)
            #expect(((list["files"] as? [[String: Any]])?.first?["id"] as? Int) == id)
            #expect(try await harness.request(.get, "/files?status=error").json["count"] as? Int == 0)
        }
    }

    @Test("a file with a bad header ends in error with a DLQ entry and an errors.log line")
    func badFile() async throws {
        try await ServiceHarness.run { harness in
            let id = try await harness.upload("errado.csv", "fazenda;lote;cabecas\nx;1;2\n")
            let file = try await harness.waitUntilFinished(id)
            #expect(file["status"] as? String == "error")
            #expect(file["error_type"] as? String == "validation")
            #expect((file["error_message"] as? String)?.contains("invalid header") == true)
            #expect(file["dlq_entries"] as? Int == 1)
            let dlq = try await harness.request(.get, "/dlq?status=unresolved&limit=50").json
            let entry = try #require((dlq["entries"] as? [[String: Any]])?.first)
            #expect(entry["file_id"] as? Int == id && entry["error_type"] as? String == "validation" && entry["entity_type"] as? String == "file")
            #expect((entry["payload"] as? [String: Any])?["filename"] as? String == "errado.csv")
            let errorLine = try #require(harness.logLines("errors.log").first)
            #expect(ServiceHarness.fields(errorLine)[3] == "ERROR")
            #expect(ServiceHarness.fields(errorLine)[6] == "validation")
            #expect(try await harness.database.scalar("SELECT count(*) FROM cattle_lot") == 0)
        }
    }

    @Test("bad rows go to the DLQ; a file with only bad rows is an error, one with some good rows is loaded")
    func badRows() async throws {
        try await ServiceHarness.run { harness in
            let mixed = try await harness.upload("mixed.csv", "farm,lot,head_count,weight_kg,price\nf,L1,10,400,100\nf,L2,dez,400,100\nf,L3,10,-1,100\n")
            let allBad = try await harness.upload("bad.csv", "farm,lot,head_count,weight_kg,price\nf,L1,10,-400,100\nf,L2,0,400,100\n")
            let mixedFile = try await harness.waitUntilFinished(mixed)
            #expect(mixedFile["status"] as? String == "loaded")
            #expect(mixedFile["rows_loaded"] as? Int == 1 && mixedFile["rows_rejected"] as? Int == 2)
            let badFile = try await harness.waitUntilFinished(allBad)
            #expect(badFile["status"] as? String == "error")
            #expect(badFile["error_type"] as? String == "data")
            let rows = try await harness.database.strings("""
                SELECT format('%s:%s:%s:%s', file_id, error_type, entity_type, payload->>'line')
                  FROM etl_dead_letter_queue ORDER BY file_id, (payload->>'line')::int
                """)
            #expect(rows == ["\(mixed):validation:cattle_lot:3", "\(mixed):data:cattle_lot:4",
                             "\(allBad):data:cattle_lot:2", "\(allBad):data:cattle_lot:3"])
            #expect(try await harness.database.scalar("SELECT count(*) FROM cattle_lot") == 1)
        }
    }

    @Test("reprocessing a file loads it again without duplicating its rows")
    func reprocess() async throws {
        try await ServiceHarness.run { harness in
            let id = try await harness.upload("again.csv", validCSV(rows: 7))
            _ = try await harness.waitUntilFinished(id)
            let response = try await harness.request(.post, "/files/\(id)/reprocess")
            #expect(response.status == .ok)
            #expect(response.json["previous_status"] as? String == "loaded")
            #expect(response.json["status"] as? String == "uploaded")
            #expect(try await eventually {
                try await harness.database.scalar("SELECT attempts FROM etl_file WHERE id = \(id) AND status = 'loaded'") == 2
            })
            #expect(try await harness.database.scalar("SELECT count(*) FROM cattle_lot WHERE file_id = \(id)") == 7)
        }
    }

    @Test("resolve-transient resolves connection entries only (a file too large stays); single resolve is 200 then 409")
    func deadLetterQueue() async throws {
        try await ServiceHarness.run(worker: false) { harness in
            try await harness.database.execute("""
                INSERT INTO etl_dead_letter_queue (error_type, entity_type, error_message)
                SELECT t, 'file', 'seeded' FROM unnest(ARRAY['connection','connection','resource','validation','data']) AS t
                """)
            let resolved = try await harness.request(.post, "/dlq/resolve-transient")
            #expect(resolved.status == .ok)
            #expect(resolved.json["resolved"] as? Int == 2)
            let left = try await harness.request(.get, "/dlq?status=unresolved").json
            #expect(left["unresolved_total"] as? Int == 3)
            let types = (left["entries"] as? [[String: Any]])?.compactMap { $0["error_type"] as? String }.sorted()
            #expect(types == ["data", "resource", "validation"])
            #expect(try await harness.request(.post, "/dlq/resolve-transient").json["resolved"] as? Int == 0)

            let id = try await harness.database.scalar("SELECT id FROM etl_dead_letter_queue WHERE error_type = 'data'")
            let one = try await harness.request(.post, "/dlq/\(id)/resolve")
            #expect(one.status == .ok)
            #expect(one.json["resolved"] as? Bool == true && one.json["resolved_at"] is String)
            #expect(try await harness.request(.post, "/dlq/\(id)/resolve").status == .conflict)
            #expect(try await harness.request(.get, "/dlq?status=resolved&limit=10").json["count"] as? Int == 3)
            #expect(harness.logLines("audit.log").contains { $0.contains("action=dlq.resolve_transient") && $0.contains("resolved=2") })
        }
    }

    @Test("resolve-transient re-queues the files whose connection failure it resolves: they load, nothing stays hidden in error")
    func resolveTransientRequeues() async throws {
        try await ServiceHarness.run { harness in
            // Failures as etl-core writes them: the file in error/connection, one DLQ entry each.
            try await harness.request(.post, "/admin/faults", json: #"{"connection_error_rate": 1}"#)
            var ids: [Int] = []
            for index in 1...3 { ids.append(try await harness.upload("falhou-\(index).csv", validCSV(rows: 4))) }
            for id in ids { #expect(try await harness.waitUntilFinished(id)["error_type"] as? String == "connection") }
            // A file that is too large stays in error: resource is permanent.
            try await harness.database.execute("""
                INSERT INTO etl_file (filename, status, error_type, error_message, completed_at)
                VALUES ('grande.csv', 'error', 'resource', 'file too large: 9437184 bytes exceeds the 8388608-byte limit', now())
                """)
            try await harness.database.execute("""
                INSERT INTO etl_dead_letter_queue (error_type, entity_type, error_message, file_id)
                SELECT 'resource', 'file', error_message, id FROM etl_file WHERE filename = 'grande.csv'
                """)
            try await harness.request(.delete, "/admin/faults")

            let response = try await harness.request(.post, "/dlq/resolve-transient")
            #expect(response.json["resolved"] as? Int == 3 && response.json["requeued"] as? Int == 3, "\(response.text)")
            for id in ids {
                let file = try await harness.waitUntilFinished(id)
                #expect(file["status"] as? String == "loaded" && file["rows_loaded"] as? Int == 4)
            }
            #expect(try await harness.database.strings(
                "SELECT status || '/' || error_type FROM etl_file WHERE filename = 'grande.csv'") == ["error/resource"])
            // No file is left in error with every entry resolved and no load after it.
            #expect(try await harness.database.scalar("""
                SELECT count(*) FROM etl_file f WHERE f.status = 'error'
                   AND NOT EXISTS (SELECT 1 FROM etl_dead_letter_queue d WHERE d.file_id = f.id AND NOT d.resolved)
                """) == 0)
            #expect(harness.logLines("audit.log").contains { $0.contains("action=dlq.resolve_transient") && $0.contains("requeued=3") })
        }
    }
}
