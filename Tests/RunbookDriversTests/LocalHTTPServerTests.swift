import Foundation
import Testing

@Suite("The tests' local HTTP server")
struct LocalHTTPServerTests {
    /// The end-to-end tests wait for `runbook` synchronously, holding cooperative threads; a
    /// receiver must answer the process meanwhile. Here every thread of the pool (one per core)
    /// waits for a curl that posts to the receiver: it answers, or curl gives up after 20 s.
    @Test func answersWhileEveryCooperativeThreadIsBlocked() async throws {
        let receiver = TestNotifyReceiver()
        let width = ProcessInfo.processInfo.activeProcessorCount
        let exits = try await receiver.with { base in
            try await withThrowingTaskGroup(of: Int32.self) { group in
                for i in 0..<width {
                    group.addTask {
                        let curl = Process()
                        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
                        curl.arguments = ["-sS", "-o", "/dev/null", "--max-time", "20", "-d", "x", "\(base)/blocked-\(i)"]
                        try curl.run()
                        curl.waitUntilExit()
                        return curl.terminationStatus
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(exits == Array(repeating: 0, count: width), "curl exit codes (28: no answer in 20 s)")
        #expect(await receiver.all().count == width)
    }
}
