import Foundation
import Testing

/// Real SSH keys for a test, made by `ssh-keygen` in a folder of their own (removed with it),
/// and an allowed_signers file naming some of them.
final class SSHTestKeys: @unchecked Sendable {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("ssh-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// A new ed25519 key `name` (private key path returned; the public half is `path + ".pub"`).
    func make(_ name: String, passphrase: String = "") throws -> String {
        let path = folder.appendingPathComponent(name).path
        let status = try Self.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", passphrase, "-C", name, "-f", path])
        #expect(status == 0, "ssh-keygen could not make \(name)")
        return path
    }

    /// The public key line of `key` (`ssh-ed25519 AAAA... comment`).
    func publicKey(_ key: String) throws -> String {
        try String(contentsOfFile: key + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes an allowed_signers file: one line per (principals, options, key).
    func allowedSigners(_ entries: [(principals: String, options: String, key: String)], name: String = "allowed_signers") throws -> String {
        let path = folder.appendingPathComponent(name).path
        let lines = try entries.map { "\($0.principals) \($0.options.isEmpty ? "" : $0.options + " ")\(try publicKey($0.key))" }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs a program to its end; its exit status.
    @discardableResult
    static func run(_ program: String, _ arguments: [String], environment: [String: String]? = nil) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// A real `ssh-agent` of the test's own (`ssh-agent -D -a SOCKET`), stopped by `stop()`.
final class TestSSHAgent: @unchecked Sendable {
    let socket: String
    private let process: Process

    init(folder: URL) throws {
        socket = folder.appendingPathComponent("agent.sock").path
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-agent")
        process.arguments = ["-D", "-a", socket]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The socket appears once the agent listens.
        while !FileManager.default.fileExists(atPath: socket) {
            guard process.isRunning else { throw AgentFailed() }
            usleep(10_000)
        }
    }

    struct AgentFailed: Error {}

    /// `ssh-add KEY`; a passphrase is given through SSH_ASKPASS (never a terminal).
    func add(_ key: String, passphrase: String? = nil, folder: URL) throws -> Int32 {
        var environment = ["SSH_AUTH_SOCK": socket, "PATH": "/usr/bin:/bin"]
        if let passphrase {
            let script = folder.appendingPathComponent("askpass.sh").path
            try "#!/bin/sh\necho '\(passphrase)'\n".write(toFile: script, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: script)
            environment["SSH_ASKPASS"] = script
            environment["SSH_ASKPASS_REQUIRE"] = "force"
            environment["DISPLAY"] = ":0"
        }
        return try SSHTestKeys.run("/usr/bin/ssh-add", [key], environment: environment)
    }

    /// SIGKILL: the agent may have inherited a signal mask that blocks SIGTERM.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
