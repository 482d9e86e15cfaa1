import Foundation
import Testing
@testable import RunbookCore

@Suite("Identity: allowed_signers files")
struct AllowedSignersTests {
    /// A real ed25519 public key (made by ssh-keygen; public keys are not secrets).
    static let key = "AAAAC3NzaC1lZDI1NTE5AAAAIEgcKGbF03v71c28M12ZrHryzv9eoZ36uaBxNK7pa13q"

    @Test func readsPrincipalsOptionsAndComments() throws {
        let text = """
            # The on-call team.

            alice@example.com,bob@example.com namespaces="runbook,git",valid-after="20240101",valid-before="20301231235959Z" ssh-ed25519 \(Self.key) alice laptop
            \t"*@ops.example.com" cert-authority ssh-ed25519 \(Self.key)
            carol@example.com ssh-ed25519 \(Self.key)\r
            """
        let signers = try AllowedSigners.parse(text, path: "ops.allowed_signers")
        #expect(signers.signers.count == 3)
        #expect(signers.principals == ["alice@example.com", "bob@example.com", "*@ops.example.com", "carol@example.com"])
        let alice = signers.signers[0]
        #expect(alice.namespaces == ["runbook", "git"])
        #expect(alice.validAfter == "20240101")
        #expect(alice.validBefore == "20301231235959Z")
        #expect(!alice.certificateAuthority)
        #expect(alice.keyType == "ssh-ed25519")
        #expect(alice.key == Self.key)
        #expect(alice.location == SourceLocation(path: "ops.allowed_signers", line: 3, column: 1))
        #expect(signers.signers[1].certificateAuthority)
        #expect(signers.signers[1].location.line == 4)
        #expect(AllowedSigner.isPattern("*@ops.example.com"))
        #expect(!AllowedSigner.isPattern("carol@example.com"))
    }

    /// Each broken line, with the line:col and the words of its diagnostic.
    @Test(arguments: [
        ("alice", "1:6", "missing key"),
        ("alice   ", "1:9", "missing key"),
        ("alice foo=\"x\" ssh-ed25519 \(key)", "1:7", "unknown option 'foo'"),
        ("alice ssh-ed25591 \(key)", "1:7", "unknown key type 'ssh-ed25591' (did you mean 'ssh-ed25519'?)"),
        ("alice ssh-ed25519", "1:18", "missing the base64 public key after ssh-ed25519"),
        ("alice ssh-ed25519 not*base64", "1:19", "not valid base64"),
        ("alice ssh-ed25519 AAAA", "1:19", "not an SSH public key"),
        ("alice ssh-rsa \(key)", "1:15", "the key data is a ssh-ed25519 key, but the line says ssh-rsa"),
        ("alice valid-after=\"2024\" ssh-ed25519 \(key)", "1:7", "valid-after=\"2024\" is not a time"),
        ("alice valid-before=\"20241340\" ssh-ed25519 \(key)", "1:7", "valid-before=\"20241340\" is not a time"),
        ("alice namespaces=runbook ssh-ed25519 \(key)", "1:18", "must be in double quotes"),
        ("alice namespaces=\"runbook ssh-ed25519 \(key)", "1:18", "unterminated quote"),
        ("alice cert-authority,cert-authority ssh-ed25519 \(key)", "1:22", "option 'cert-authority' is given twice"),
        ("alice cert-authority, ssh-ed25519 \(key)", "1:22", "cannot end with ','"),
        ("alice,,bob ssh-ed25519 \(key)", "1:7", "empty principal"),
        ("\"alice ssh-ed25519 \(key)", "1:1", "unterminated quote in the principals"),
        ("alice namespaces=\"runbook\" valid-after=\"20240101\" ssh-ed25519 \(key)", "1:28", "options must be one comma-separated word"),
    ])
    func brokenLineIsNamed(line: String, at: String, message: String) throws {
        let error = try #require(throws: DiagnosticsError.self) { try AllowedSigners.parse(line, path: "s") }
        #expect(error.diagnostics.count == 1)
        let d = try #require(error.diagnostics.first)
        #expect("\(d.location.line):\(d.location.column)" == at, "\(d)")
        #expect(d.message.contains(message), "\(d)")
        #expect(d.description.hasPrefix("s:\(at): error: "))
    }

    @Test func everyBrokenLineIsReportedWithItsPath() throws {
        let text = "# ok\nalice ssh-ed25519 \(Self.key)\nbob\ncarol ssh-dsa \(Self.key)\n"
        let error = try #require(throws: DiagnosticsError.self) { try AllowedSigners.parse(text, path: "environments/ops.allowed_signers") }
        #expect(error.diagnostics.map(\.description) == [
            "environments/ops.allowed_signers:3:4: error: missing key: a signer line is `principals [options] keytype base64-key`",
            "environments/ops.allowed_signers:4:7: error: unknown key type 'ssh-dsa' (did you mean 'ssh-dss'?)",
        ])
    }

    @Test func aFileWithoutSignersIsRefused() throws {
        let error = try #require(throws: DiagnosticsError.self) { try AllowedSigners.parse("# nobody yet\n\n", path: "s") }
        #expect(error.description == "s:1:1: error: the allowed_signers file lists no signer: nobody could be named by a key")
    }

    @Test func aMissingFileIsNamed() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("missing-\(UUID().uuidString)")
        let error = try #require(throws: DiagnosticsError.self) { try AllowedSigners.load(url, path: "environments/x.allowed_signers") }
        #expect(error.description == "environments/x.allowed_signers:1:1: error: no such allowed_signers file")
    }

    /// Keys of every common type, as `ssh-keygen` writes them, parse.
    @Test func keysMadeBySSHKeygenParse() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var lines: [String] = []
        for (type, bits) in [("ed25519", nil), ("ecdsa", "384"), ("rsa", "2048")] as [(String, String?)] {
            let file = folder.appendingPathComponent(type).path
            let keygen = Process()
            keygen.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-keygen")
            keygen.arguments = ["-q", "-t", type, "-N", "", "-C", "\(type)@example.com", "-f", file] + (bits.map { ["-b", $0] } ?? [])
            try keygen.run()
            keygen.waitUntilExit()
            #expect(keygen.terminationStatus == 0)
            lines.append("\(type)@example.com " + (try String(contentsOfFile: file + ".pub", encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let signers = try AllowedSigners.parse(lines.joined(separator: "\n"), path: "s")
        #expect(signers.signers.map(\.keyType) == ["ssh-ed25519", "ecdsa-sha2-nistp384", "ssh-rsa"])
    }

    @Test func environmentNamesItsAllowedSignersRelativeToHome() throws {
        let home = TestHome()
        home.write("environments/ops.yaml", "identity:\n  allowed_signers: environments/ops.allowed_signers\n")
        home.write("environments/ops.allowed_signers", "alice@example.com ssh-ed25519 \(Self.key)\n")
        home.write("environments/plain.yaml", "api: {url: http://x}\n")
        home.write("environments/half.yaml", "identity: {}\n")
        let ops = try Environment.load(name: "ops", home: home.url, processEnvironment: [:])
        #expect(ops.hasIdentity)
        #expect(ops.allowedSignersURL(home: home.url)?.path == home.url.appendingPathComponent("environments/ops.allowed_signers").standardizedFileURL.path)
        #expect(try ops.allowedSigners(home: home.url)?.principals == ["alice@example.com"])
        let plain = try Environment.load(name: "plain", home: home.url, processEnvironment: [:])
        #expect(!plain.hasIdentity)
        #expect(try plain.allowedSigners(home: home.url) == nil)
        let half = try Environment.load(name: "half", home: home.url, processEnvironment: [:])
        let error = try #require(throws: DiagnosticsError.self) { try half.allowedSigners(home: home.url) }
        #expect(error.description.hasPrefix("environments/half.yaml:1:1: error: identity needs allowed_signers"))
    }
}
