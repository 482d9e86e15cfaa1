import Crypto
import Foundation
public import RunbookCore

/// Delivers a rendered notification: appends it to the environment's operational log
/// (`notify.log`) with a header line, or just returns it for `channel: stdout`.
public struct NotifyDriver: StepDriver {
    public init() {}

    public func execute(_ command: RenderedCommand, context: DriverContext) async throws -> DriverOutput {
        guard case .notify(let notify) = command else { throw DriverError("the notify driver got a \(command) command") }
        let message = context.redactor.redact(notify.message)
        var deliveredTo = "stdout"
        if notify.channel == "log", let path = notify.logPath {
            let directory = (path as NSString).deletingLastPathComponent
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let entry = "=== \(AuditLog.timestamp(Date())) \(context.stepID) (\(notify.template)) ===\n\(message)\n\n"
            guard let handle = FileHandle(forWritingAtPath: path) ?? {
                _ = FileManager.default.createFile(atPath: path, contents: nil)
                return FileHandle(forWritingAtPath: path)
            }() else { throw DriverError("cannot write the operational log \(path)") }
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(entry.utf8))
            deliveredTo = path
        }
        let digest = Hex.sha256(Data(message.utf8))
        return DriverOutput(result: .object([("message", .string(message)), ("delivered_to", .string(deliveredTo))]),
                            succeeded: true, excerpt: message, digest: digest)
    }
}
