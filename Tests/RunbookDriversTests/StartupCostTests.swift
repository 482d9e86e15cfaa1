import Foundation
import NIOCore
import RunbookCore
import Testing
@testable import RunbookDrivers

/// What the start-up work (docs/performance.md) changed, kept working: the shell step finds
/// its program on PATH itself, URL hosts are read without URLComponents.host, and SQL and HTTP
/// share the run's event loop.
@Suite("Start-up shortcuts behave as before")
struct StartupCostTests {
    @Test func findsAProgramOnPathLikeExecvp() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("path-\(UUID().uuidString)")
        let first = dir.appendingPathComponent("a"), second = dir.appendingPathComponent("b")
        for d in [first, second] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        defer { try? FileManager.default.removeItem(at: dir) }
        // Not executable in the first folder, a folder of that name in the second: neither counts.
        #expect(FileManager.default.createFile(atPath: first.appendingPathComponent("tool").path, contents: Data("#!/bin/sh\n".utf8)))
        try FileManager.default.createDirectory(at: second.appendingPathComponent("tool"), withIntermediateDirectories: true)
        #expect(ShellDriver.lookUp("tool", path: "\(first.path):\(second.path)") == nil)
        let third = dir.appendingPathComponent("c/")
        try FileManager.default.createDirectory(at: third, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: third.appendingPathComponent("tool").path, contents: Data("#!/bin/sh\n".utf8),
                                       attributes: [.posixPermissions: 0o755]))
        #expect(ShellDriver.lookUp("tool", path: "\(first.path):\(second.path):\(third.path)/") == third.appendingPathComponent("tool").path)
        #expect(ShellDriver.lookUp("sh", path: "/usr/bin:/bin").map { $0.hasSuffix("/sh") } == true)
        // A relative entry before any match is left to Subprocess's own search; so is no PATH.
        #expect(ShellDriver.lookUp("sh", path: ".:/usr/bin:/bin") == nil)
        #expect(ShellDriver.lookUp("sh", path: nil) == nil)
    }

    @Test func runsAProgramFoundOnTheStepsPath() async throws {
        let context = DriverContext(stepID: "t", kind: .check, timeout: .seconds(10), environment: .empty(name: "test"), redactor: Redactor())
        let out = try await ShellDriver().execute(
            .shell(.init(argv: ["sh", "-c", "echo $0"], workingDirectory: "/", environment: ["PATH": "/usr/bin:/bin"], stdin: nil, nagios: false)),
            context: context)
        #expect(out.result["exit_code"] == 0)
        let missing = RenderedCommand.shell(.init(argv: ["no-such-program-\(UUID().uuidString)"], workingDirectory: "/", environment: [:],
                                                  stdin: nil, nagios: false))
        await #expect(throws: (any Error).self) { _ = try await ShellDriver().execute(missing, context: context) }
    }

    @Test func hostsAsWritten() throws {
        #expect(HTTPDriver.origin(of: "http://API.example.com/health") == "http://api.example.com:80")
        #expect(HTTPDriver.origin(of: "https://api.example.com:8443/x?y=1") == "https://api.example.com:8443")
    }

    @Test func driversShareOneEventLoopThreadAndStopIt() async throws {
        let loops = DriverEventLoops(threads: 1)
        let group = loops.group
        #expect(ObjectIdentifier(group) == ObjectIdentifier(loops.group))
        var count = 0
        for _ in group.makeIterator() { count += 1 }
        #expect(count == 1)
        await loops.shutdown()
        await loops.shutdown()   // idempotent
    }
}
