import Foundation
import RunbookCore

/// One diagnosis: `runbook run ID --dry-run --format json --incident INC` as a child process
/// (the same engine, binary and files as any run), stopped when it takes too long.
struct DiagnosisProcess: Sendable {
    /// What the dry run said.
    struct Outcome: Sendable {
        var exitCode: Int32
        /// The JSON report; nil when the run printed none (exit 2: invalid).
        var report: Value?
        /// Its standard error, bounded.
        var errors: String
    }

    let binary: String
    let home: URL
    let environment: String

    /// The child's arguments: never through a shell, each value one element.
    func arguments(runbook: String, incident: String, inputs: [String]) -> [String] {
        ["run", runbook, "--dir", home.path, "--env", environment, "--dry-run", "--format", "json", "--incident", incident,
         "--operator", "alertmanager"] + inputs.flatMap { ["--input", $0] }
    }

    func run(runbook: String, incident: String, inputs: [String], timeout: Duration) async -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments(runbook: runbook, incident: incident, inputs: inputs)
        process.currentDirectoryURL = home
        let out = Pipe()
        // Standard error to a file: read after the exit, so neither pipe can fill and block.
        let errorPath = NSTemporaryDirectory() + "runbook-diagnosis-\(UUID().uuidString).err"
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        let err = FileHandle(forWritingAtPath: errorPath)
        process.standardOutput = out
        process.standardError = err ?? FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        return await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            DispatchQueue.global().async {
                defer {
                    try? err?.close()
                    try? FileManager.default.removeItem(atPath: errorPath)
                }
                do { try process.run() } catch {
                    continuation.resume(returning: Outcome(exitCode: 127, report: nil, errors: "cannot start \(binary): \(error)"))
                    return
                }
                let deadline = DispatchWorkItem { if process.isRunning { process.terminate() } }
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(timeout.components.seconds * 1000)), execute: deadline)
                let data = out.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                let errorData = FileManager.default.contents(atPath: errorPath) ?? Data()
                deadline.cancel()
                let report = try? JSON.parse(String(decoding: data, as: UTF8.self))
                let text = String(decoding: errorData.suffix(4000), as: UTF8.self)
                continuation.resume(returning: Outcome(exitCode: process.terminationStatus, report: report, errors: text))
            }
        }
    }
}
