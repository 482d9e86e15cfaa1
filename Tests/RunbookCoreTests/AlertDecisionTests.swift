import Foundation
import Testing
@testable import RunbookCore

/// The alert's life decided without I/O (the ledger applies it under a lock), the webhook
/// payload's checks, and the message posted after a diagnosis.
@Suite struct AlertDecisionTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func decisionsAsATable() {
        typealias S = AlertDecision.Stored
        let fresh = S(status: "firing", inputsKey: "k", diagnosedAt: Self.now.addingTimeInterval(-60))
        let old = S(status: "firing", inputsKey: "k", diagnosedAt: Self.now.addingTimeInterval(-900))
        let cases: [(S?, String, String, AlertDecision)] = [
            (nil, "firing", "k", .diagnose(.new)),
            (nil, "resolved", "k", .nothing),
            (fresh, "firing", "k", .nothing),                   // a retry or an early repeat
            (fresh, "firing", "k2", .diagnose(.inputsChanged)),
            (old, "firing", "k", .diagnose(.stale)),            // 900 s >= the 900 s interval
            (fresh, "resolved", "k", .resolve),
            (S(status: "resolved", inputsKey: "k", diagnosedAt: nil), "resolved", "k", .nothing),
            (S(status: "resolved", inputsKey: "k", diagnosedAt: nil), "firing", "k", .diagnose(.refired)),
            (S(status: "firing", inputsKey: "k", diagnosedAt: nil), "firing", "k", .nothing),
        ]
        for (stored, status, key, expected) in cases {
            #expect(AlertDecision.decide(stored: stored, status: status, inputsKey: key, now: Self.now, rediagnoseAfter: 900) == expected,
                    "\(String(describing: stored)) \(status) \(key)")
        }
    }

    static func body(version: String = "4", status: String = "firing", fingerprint: String = "ab12", alertname: String? = "A") -> Data {
        let name = alertname.map { "\"alertname\": \"\($0)\"" } ?? ""
        return Data("""
            {"version": "\(version)", "groupKey": "{}:{}", "status": "firing", "receiver": "r", "groupLabels": {}, "commonLabels": {},
             "commonAnnotations": {}, "externalURL": "x", "alerts": [{"status": "\(status)", "labels": {\(name)}, "annotations": {},
             "startsAt": "2026-12-07T03:00:00Z", "fingerprint": "\(fingerprint)"}]}
            """.utf8)
    }

    @Test func payloadChecks() throws {
        let payload = try AlertmanagerPayload.decode(Self.body())
        #expect(payload.alerts.first?.name == "A")
        func refusal(_ data: Data) -> String? {
            do { _ = try AlertmanagerPayload.decode(data); return nil } catch { return error.description }
        }
        #expect(refusal(Self.body(version: "3"))?.contains("payload version '3' is not supported") == true)
        #expect(refusal(Self.body(status: "pending"))?.contains("neither firing nor resolved") == true)
        #expect(refusal(Self.body(fingerprint: "not hex!"))?.contains("no valid fingerprint") == true)
        #expect(refusal(Self.body(alertname: nil))?.contains("no alertname") == true)
        #expect(refusal(Data("{\"version\": \"4\"}".utf8))?.contains("missing 'groupKey'") == true)
        #expect(refusal(Data("[".utf8))?.contains("malformed JSON") == true)
    }

    @Test func routeAndMessage() throws {
        let location = SourceLocation(path: "r.yaml", line: 1, column: 1)
        var probe = Runbook(id: "probe", title: "P", path: "r.yaml", sha256: "")
        probe.triggers = [Trigger(alert: "A", matchers: [.init(label: "severity", value: "critical")],
                                  inputs: [.init(input: "level", label: "lvl")], location: location)]
        let route = try #require(AlertRoute.find(labels: ["alertname": "A", "severity": "critical", "lvl": "7; rm -rf /"], in: [probe]))
        #expect(route == AlertRoute(runbook: "probe", inputs: ["level=7; rm -rf /"]))
        #expect(AlertRoute.find(labels: ["alertname": "A", "severity": "warning"], in: [probe]) == nil)
        let report = try JSON.parse("""
            {"run_id": "r-1", "runbook": "probe", "status": "red", "steps": [
              {"id": "level", "kind": "check", "status": "red", "result": {"stdout": "level=7\\nmore"}},
              {"id": "ok", "kind": "check", "status": "green", "result": {"stdout": "fine"}},
              {"id": "fix", "kind": "action", "status": "planned", "message": "would run: echo fixing"},
              {"id": "later", "kind": "action", "status": "skipped"}]}
            """)
        let message = DiagnosisMessage(alert: "A", severity: "critical", incident: "INC-20261207-1", environment: "prod", reason: "new",
                                       report: report, inputs: route.inputs, consoleURL: "http://console")
        #expect(message.text == """
            🔔 ALERT A firing (critical) · INC-20261207-1 · new
            Diagnosis: probe dry run r-1, RED
              🔴 level: red · level=7 more
              🟢 ok: green
            Proposed remediation:
              → fix: would run: echo fixing
            Run it: runbook run probe --env prod --incident INC-20261207-1 --input 'level=7; rm -rf /'
            Console: http://console/runs/r-1
            """)
    }
}
