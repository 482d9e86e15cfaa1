import ETLCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@Suite("API contract: auth, malformed input, unknown ids, JSON errors")
struct APIContractTests {
    @Test("protected routes answer 401 without a token, with a wrong one, or with another scheme")
    func unauthorized() async throws {
        try await ServiceHarness.run(worker: false) { harness in
            for headers: HTTPFields in [[:], [.authorization: "Bearer wrong-token"], [.authorization: "Basic \(ServiceHarness.token)"],
                                        [.authorization: "Bearer \(ServiceHarness.token)x"]] {
                for (method, uri) in [(HTTPRequest.Method.get, "/files"), (.post, "/dlq/resolve-transient"), (.get, "/dlq"),
                                      (.post, "/files/1/reprocess"), (.get, "/admin/faults")] {
                    let response = try await harness.request(method, uri, headers: headers)
                    #expect(response.status == .unauthorized, "\(method) \(uri) with \(headers)")
                    #expect((response.json["error"] as? String)?.isEmpty == false)
                }
            }
            // Nothing was changed by the refused calls.
            #expect(try await harness.request(.get, "/admin/faults").json["stalled"] as? Bool == false)
        }
    }

    @Test("/health and /metrics need no token")
    func publicRoutes() async throws {
        try await ServiceHarness.run { harness in
            // One answer, read whole: a second request could meet a worker whose heartbeat a
            // busy machine delayed past the harness's 600 ms.
            let answer = Mutex("")
            #expect(try await eventually {
                let response = try await harness.request(.get, "/health", headers: [:])
                answer.withLock { $0 = response.text }
                return response.status == .ok
            })
            let health = (try? JSONSerialization.jsonObject(with: Data(answer.withLock { $0 }.utf8))) as? [String: Any] ?? [:]
            #expect(health["status"] as? String == "ok")
            #expect((health["database"] as? [String: Any])?["reachable"] as? Bool == true)
            #expect((health["worker"] as? [String: Any])?["alive"] as? Bool == true)
            let metrics = try await harness.request(.get, "/metrics", headers: [:])
            #expect(metrics.status == .ok)
            #expect(metrics.text.contains("etl_files{status=\"loaded\"} 0.0"))
            #expect(metrics.text.contains("# TYPE etl_dlq_unresolved gauge"))
        }
    }

    @Test("malformed ids, bodies and query values are 400 with a JSON error")
    func badRequests() async throws {
        try await ServiceHarness.run(worker: false) { harness in
            let cases: [(HTTPRequest.Method, String, String?)] = [
                (.get, "/files/abc", nil),
                (.get, "/files/-3", nil),
                (.post, "/files/1.5/reprocess", nil),
                (.post, "/dlq/x/resolve", nil),
                (.post, "/files", "{not json"),
                (.post, "/files", #"{"filename": "a.csv"}"#),
                (.post, "/files", #"{"filename": "", "content": "x"}"#),
                (.get, "/files?limit=0", nil),
                (.get, "/files?limit=ten", nil),
                (.get, "/files?status=done", nil),
                (.get, "/dlq?status=open", nil),
                (.post, "/files/reprocess", nil),
                (.post, "/files/reprocess?error=timeout", nil),
                (.post, "/files/reprocess?error=connection&since_hours=0", nil),
                (.post, "/admin/faults", #"{"connection_error_rate": 1.5}"#),
                (.post, "/admin/faults", #"{"slow_ms": -1}"#),
            ]
            for (method, uri, body) in cases {
                let response = try await harness.request(method, uri, json: body)
                #expect(response.status == .badRequest, "\(method) \(uri) \(body ?? "") -> \(response.status) \(response.text)")
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect((response.json["error"] as? String)?.isEmpty == false, "\(uri): \(response.text)")
            }
        }
    }

    @Test("unknown ids and routes are 404 with a JSON error")
    func notFound() async throws {
        try await ServiceHarness.run(worker: false) { harness in
            for (method, uri) in [(HTTPRequest.Method.get, "/files/999999"), (.post, "/files/999999/reprocess"),
                                  (.post, "/dlq/999999/resolve"), (.get, "/nowhere"), (.delete, "/files/1")] {
                let response = try await harness.request(method, uri)
                #expect(response.status == .notFound, "\(method) \(uri) -> \(response.status)")
                #expect((response.json["error"] as? String)?.isEmpty == false)
            }
            #expect(try await harness.request(.get, "/files/999999").json["error"] as? String == "file 999999 not found")
        }
    }

    @Test("audit.log records who did what, with the X-Operator name or a token fingerprint, never the token")
    func audit() async throws {
        try await ServiceHarness.run(worker: false) { harness in
            let id = try await harness.upload("a.csv", validCSV(rows: 1))
            var headers = harness.auth
            headers[.init("X-Operator")!] = "ana.souza"
            #expect(try await harness.request(.post, "/files/\(id)/reprocess", headers: headers).status == .ok)
            let lines = harness.logLines("audit.log")
            #expect(lines.count == 2)
            #expect(lines[0].contains("action=files.upload target=file:\(id) result=ok"))
            #expect(lines[0].contains("actor=token:"))
            #expect(lines[1].contains("AUDIT actor=ana.souza action=files.reprocess target=file:\(id) result=ok previous_status=uploaded"))
            #expect(!lines.joined().contains(ServiceHarness.token))
        }
    }
}
