import ETLCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// One size limit, configured once (`ETL_MAX_UPLOAD_BYTES`), for the API and the worker; a
/// file over it is a permanent `resource` failure that stays in the DLQ for a person.
@Suite("Upload limit: one limit, and a file too large is permanent")
struct UploadLimitTests {
    static func body(_ filename: String, _ content: String) throws -> String {
        String(decoding: try JSONEncoder().encode(UploadRequest(filename: filename, content: content)), as: UTF8.self)
    }

    @Test("the default limit is the worker's 8 MiB: a 3 MiB upload (over Hummingbird's 2 MiB default) is accepted")
    func defaultLimit() async throws {
        try await ServiceHarness.run(worker: false) { harness in
            let csv = "farm,lot,head_count,weight_kg,price\n" + String(repeating: "fazenda-teste,L1,40,450.5,12000.00\n", count: 3 * 1024 * 1024 / 35)
            #expect(csv.utf8.count > 3 * 1024 * 1024 - 100 && csv.utf8.count < UploadLimit.defaultBytes)
            let id = try await harness.upload("big.csv", csv)
            #expect(try await harness.database.scalar("SELECT octet_length(content) FROM etl_file WHERE id = \(id)") == csv.utf8.count)
        }
    }

    @Test("ETL_MAX_UPLOAD_BYTES sets the limit of both the API and the worker")
    func configuredOnce() throws {
        let configuration = try ETLConfiguration(environment: ["ETL_DATABASE_URL": "postgres://u@h/d", "ETL_API_TOKEN": "x",
                                                               "ETL_MAX_UPLOAD_BYTES": "1000"])
        #expect(configuration.maxUploadBytes == 1000)
        #expect(try ETLConfiguration(environment: ["ETL_DATABASE_URL": "postgres://u@h/d", "ETL_API_TOKEN": "x"]).maxUploadBytes
            == UploadLimit.defaultBytes)
        #expect(throws: ETLError.self) {
            try ETLConfiguration(environment: ["ETL_DATABASE_URL": "postgres://u@h/d", "ETL_API_TOKEN": "x", "ETL_MAX_UPLOAD_BYTES": "0"])
        }
    }

    @Test("over the limit: the API says 413 with the worker's words; a stored file over it fails as resource and stays in the DLQ")
    func permanent() async throws {
        try await ServiceHarness.run(configure: { $0.maxUploadBytes = 400 }) { harness in
            let fits = validCSV(rows: 3)
            #expect(fits.utf8.count <= 400)
            let ok = try await harness.upload("fits.csv", fits)
            #expect(try await harness.waitUntilFinished(ok)["status"] as? String == "loaded")

            let big = validCSV(rows: 40)
            #expect(big.utf8.count > 400)
            let refused = try await harness.request(.post, "/files", json: try Self.body("big.csv", big))
            #expect(refused.status == .contentTooLarge, "\(refused.status) \(refused.text)")
            #expect(refused.json["error"] as? String == "file too large: \(big.utf8.count) bytes exceeds the 400-byte limit")

            // A file stored before the limit was lowered (or by another path): the worker's
            // resource failure, with the same words.
            try await harness.database.execute("""
                INSERT INTO etl_file (filename, status, content) VALUES ('old-big.csv', 'uploaded', '\(big)')
                """)
            let id = try await harness.database.scalar("SELECT id FROM etl_file WHERE filename = 'old-big.csv'")
            let file = try await harness.waitUntilFinished(id)
            #expect(file["status"] as? String == "error")
            #expect(file["error_type"] as? String == "resource")
            #expect(file["error_message"] as? String == "file too large: \(big.utf8.count) bytes exceeds the 400-byte limit")

            // resolve-transient does not touch it: no retry makes a file smaller.
            #expect(try await harness.request(.post, "/dlq/resolve-transient").json["resolved"] as? Int == 0)
            let left = try await harness.request(.get, "/dlq?status=unresolved").json
            let entries = left["entries"] as? [[String: Any]] ?? []
            #expect(entries.contains { $0["error_type"] as? String == "resource" && $0["file_id"] as? Int == id }, "\(left)")
            // Nor does a retry: reprocessing fails it again, permanently.
            #expect(try await harness.request(.post, "/files/\(id)/reprocess").status == .ok)
            #expect(try await harness.waitUntilFinished(id)["error_type"] as? String == "resource")
            #expect(try await harness.database.scalar(
                "SELECT count(*) FROM etl_dead_letter_queue WHERE file_id = \(id) AND error_type = 'resource' AND NOT resolved") >= 1)
        }
    }
}
