import Foundation
import RunbookCore
import Testing
@testable import RunbookDrivers

@Suite("Shell driver: real child processes")
struct ShellDriverTests {
    func context(_ timeout: Duration = .seconds(10)) -> DriverContext {
        DriverContext(stepID: "t", kind: .check, timeout: timeout, environment: .empty(name: "test"), redactor: Redactor())
    }

    func shell(_ argv: [String], cwd: String = FileManager.default.temporaryDirectory.path, nagios: Bool = false, env: [String: String] = [:]) -> RenderedCommand {
        .shell(.init(argv: argv, workingDirectory: cwd, environment: env, stdin: nil, nagios: nagios))
    }

    @Test func capturesOutputAndExitCode() async throws {
        let out = try await ShellDriver().execute(shell(["bash", "-c", "echo out; echo err >&2; exit 3"]), context: context())
        #expect(out.result["exit_code"] == 3)
        #expect(out.result["stdout"] == "out\n")
        #expect(out.result["stderr"] == "err\n")
        #expect(out.succeeded == false)
        #expect(out.digest.count == 64)
    }

    @Test func eachArgumentStaysOneArgument() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inj-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let hostile = "$(touch PWNED); touch PWNED2; `touch PWNED3` | rm -rf x"
        let out = try await ShellDriver().execute(shell(["printf", "%s|", hostile, "two words"], cwd: dir.path), context: context())
        #expect(out.result["stdout"] == .string(hostile + "|two words|"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("PWNED").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("PWNED2").path))
    }

    @Test func nagiosConvention() async throws {
        for (code, status) in [(0, CheckStatus.green), (1, .yellow), (2, .red), (3, .error)] {
            let out = try await ShellDriver().execute(shell(["bash", "-c", "exit \(code)"], nagios: true), context: context())
            #expect(out.nagiosStatus == status)
        }
    }

    @Test func outputIsBoundedAndSaysSo() async throws {
        let out = try await ShellDriver(captureLimit: 1000).execute(shell(["bash", "-c", "head -c 100000 /dev/zero | tr '\\0' a"]), context: context())
        #expect(out.result["stdout"]?.stringValue?.count == 1000)
        #expect(out.result["stdout_truncated"] == true)
        #expect(out.excerpt.contains("truncated"))
    }

    @Test func explicitEnvironmentAndMissingProgram() async throws {
        let out = try await ShellDriver().execute(shell(["bash", "-c", "printf %s \"$RB_TEST\""], env: ["RB_TEST": "v a l"]), context: context())
        #expect(out.result["stdout"] == "v a l")
        await #expect(throws: (any Error).self) { try await ShellDriver().execute(shell(["./no-such-program"]), context: context()) }
        await #expect(throws: (any Error).self) { try await ShellDriver().execute(shell(["no-such-program-xyz"]), context: context()) }
    }

    @Test func timeoutKillsTheWholeProcessGroup() async throws {
        let marker = "rbtest-\(UUID().uuidString.prefix(8))"
        await #expect(throws: TimeoutError.self) {
            try await withDeadline(.milliseconds(500)) {
                try await ShellDriver(gracePeriod: .milliseconds(500)).execute(self.shell(["bash", "-c", "sleep 60 & sleep 60; echo \(marker)"]), context: self.context())
            }
        }
        // The group was SIGKILLed before the driver returned: nothing of it may be left (a
        // killed process can linger a moment until it is reaped, so look for up to 5 s).
        var left = Value.null
        for _ in 0..<100 {
            left = try await ShellDriver().execute(shell(["pgrep", "-f", marker]), context: context()).result["stdout"] ?? .null
            if left == "" { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(left == "", "processes left behind: \(left)")
    }

    /// A check that prints a JSON object or array gets it as `result.json`; anything else
    /// (plain text, text around JSON, broken JSON) leaves `result.json` null.
    @Test(arguments: [
        (#"echo '{"errors": 3, "window": {"lines": 10}}'"#, Value.object([("errors", .int(3)), ("window", .object([("lines", .int(10))]))])),
        (#"printf '[1, 2]\n\n'"#, Value.list([.int(1), .int(2)])),
        ("echo errors=3", Value.null),
        (#"echo 'total: {"errors": 3}'"#, Value.null),
        (#"echo '{"errors": '"#, Value.null),
        ("true", Value.null),
    ])
    func stdoutJSON(script: String, expected: Value) async throws {
        let out = try await ShellDriver().execute(shell(["bash", "-c", script]), context: context())
        #expect(out.result["json"] == expected, "\(script)")
    }
}
