import Foundation
import RunbookCore
@testable import RunbookDrivers
import Testing

/// `AlertmanagerClient.holds` against Debian's real `prometheus-alertmanager` (on
/// RUNBOOK_TEST_AM_PORT, 19193; the driver suites run before the end-to-end ones, which use
/// the same port): what a repair's run asks after expiring its silence. A silenced alert is
/// still held; one whose `endsAt` passed (resolved) is not; a label value with quotes and
/// backslashes is matched exactly, not read as matcher syntax.
@Suite("Alertmanager API v2: is the silenced alert still held?", .serialized)
struct AlertmanagerHoldsTests {
    static var port: Int { ProcessInfo.processInfo.environment["RUNBOOK_TEST_AM_PORT"].flatMap(Int.init) ?? 19193 }

    @Test func silencedIsHeldResolvedIsNot() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("am-holds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        try "route: {receiver: none}\nreceivers: [{name: none}]\n".write(to: work.appendingPathComponent("am.yml"), atomically: true, encoding: .utf8)
        let am = Process()
        am.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus-alertmanager")
        am.arguments = ["--config.file=\(work.path)/am.yml", "--storage.path=\(work.path)/data",
                        "--web.listen-address=127.0.0.1:\(Self.port)", "--cluster.listen-address="]
        am.standardOutput = FileHandle.nullDevice
        am.standardError = FileHandle.nullDevice
        try am.run()
        defer { am.terminate(); am.waitUntilExit() }
        let base = "http://127.0.0.1:\(Self.port)"
        let client = AlertmanagerClient(baseURL: base)

        let labels = ["alertname": "EtlProcessingSlow", "job": #"etl "core" \ prod"#, "window_minutes": "15"]
        func post(endsIn seconds: Double) throws -> String {
            let format = ISO8601DateFormatter()
            let alert: [String: Any] = ["labels": labels, "startsAt": format.string(from: Date().addingTimeInterval(-60)),
                                        "endsAt": format.string(from: Date().addingTimeInterval(seconds))]
            let body = try JSONSerialization.data(withJSONObject: [alert])
            return try curl(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Content-Type: application/json",
                             "--data-binary", String(decoding: body, as: UTF8.self), "\(base)/api/v2/alerts"])
        }
        // Alertmanager up, then the alert firing (its endsAt ahead, as Prometheus sends it).
        var posted = ""
        for _ in 0..<100 {
            posted = (try? post(endsIn: 300)) ?? ""
            if posted == "200" { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(posted == "200", "Alertmanager did not take the alert")
        #expect(try await client.holds(labels: labels))
        var other = labels
        other["job"] = "etl core prod"
        #expect(try await !client.holds(labels: other), "another value matched")
        other = labels
        other["extra"] = "x"
        #expect(try await !client.holds(labels: other), "an alert with other labels matched")

        // Silenced: still held (the run asks after expiring, but a second silence may hold it).
        let silence = AlertSilence(labels: labels, runID: "r1", runbook: "scenario-4-performance-degradation", incident: "INC-1",
                                   operatorName: "alice@example.com", now: Date(), duration: .seconds(600))
        let id = try await client.create(silence)
        #expect(try await client.holds(labels: labels), "a silenced alert reads as resolved")

        // Resolved (endsAt now, as Prometheus sends a resolved alert): no longer held.
        #expect(try post(endsIn: 0) == "200")
        var held = true
        for _ in 0..<50 {
            held = try await client.holds(labels: labels)
            if !held { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(!held, "a resolved alert is still held")
        try await client.expire(id)

        // Unreachable: an error, never "resolved".
        am.terminate()
        am.waitUntilExit()
        await #expect(throws: AlertmanagerError.self) { _ = try await client.holds(labels: labels) }
    }

    @Test("matcher values are escaped and percent-encoded: no value changes the query's shape")
    func matcherEscaping() {
        #expect(AlertmanagerClient.matcher("job", #"a"b\c"#) == #"job="a\"b\\c""#)
        #expect(AlertmanagerClient.matcher("job", "x\ny") == #"job="x\ny""#)
        #expect(AlertmanagerClient.percentEncoded(#"job="a&b=c d""#) == "job%3D%22a%26b%3Dc%20d%22")
    }

    func curl(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
