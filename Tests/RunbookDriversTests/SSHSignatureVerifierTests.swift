import Foundation
import RunbookCore
import RunbookDrivers
import Testing

/// The runner's in-process SSHSIG check against the real `ssh-keygen`: real keys, signatures
/// made by `ssh-keygen -Y sign`, and for every case the verdict of `ssh-keygen -Y verify`. It
/// may say less than ssh-keygen (undecided: the caller asks ssh-keygen), never accept what
/// ssh-keygen refuses.
@Suite("SSHSignatureVerifier: in-process ed25519 SSHSIG, as ssh-keygen -Y verify decides")
struct SSHSignatureVerifierTests {
    let keys: SSHTestKeys
    /// A generous bound: these compare verdicts, not speed (a loaded machine may be slow).
    let keygen = SSHKeygen(timeout: .seconds(60), agentSocket: nil)

    init() throws { keys = try SSHTestKeys() }

    func verifier(_ path: String) throws -> SSHSignatureVerifier {
        SSHSignatureVerifier(try AllowedSigners.load(URL(fileURLWithPath: path), path: path))
    }

    /// ssh-keygen's own verdict: whether `signature` verifies for `principal`.
    func keygenAccepts(_ message: [UInt8], _ signature: String, _ principal: String, _ allowed: String, namespace: String) async -> Bool {
        do {
            try await keygen.verify(message: message, signature: signature, principal: principal, allowedSigners: allowed, namespace: namespace)
            return true
        } catch {
            return false
        }
    }

    @Test func agreesWithSSHKeygenOnGoodAndBadSignatures() async throws {
        let alice = try keys.make("alice")
        let bob = try keys.make("bob")
        let mallory = try keys.make("mallory")
        let allowed = try keys.allowedSigners([("alice", "", alice), ("bob", "", bob)])
        let verifier = try verifier(allowed)
        let message = Array(#"{"nonce":"00","run":{"runbook":"fix"}}"#.utf8)
        let good = try await keygen.sign(message: message, key: alice, namespace: "runbook-request")
        #expect(verifier.principal(signing: good, message: message, namespace: "runbook-request") == .principal("alice"))
        #expect(await keygenAccepts(message, good, "alice", allowed, namespace: "runbook-request"))

        // Another message (one byte), another namespace, a key nobody lists, a damaged signature.
        var other = message
        other[other.count - 2] = UInt8(ascii: "x")
        #expect(verifier.principal(signing: good, message: other, namespace: "runbook-request") == .invalid)
        #expect(await !keygenAccepts(other, good, "alice", allowed, namespace: "runbook-request"))
        let checkpoint = try await keygen.sign(message: message, key: alice, namespace: "runbook")
        #expect(verifier.principal(signing: checkpoint, message: message, namespace: "runbook-request") == .invalid)
        #expect(await !keygenAccepts(message, checkpoint, "alice", allowed, namespace: "runbook-request"))
        let stranger = try await keygen.sign(message: message, key: mallory, namespace: "runbook-request")
        #expect(verifier.principal(signing: stranger, message: message, namespace: "runbook-request") == .undecided)
        var lines = good.split(separator: "\n").map(String.init)
        let body = Array(lines[2])
        lines[2] = String(body.prefix(10)) + (body[10] == "A" ? "B" : "A") + String(body.dropFirst(11))
        let damaged = lines.joined(separator: "\n") + "\n"
        #expect(verifier.principal(signing: damaged, message: message, namespace: "runbook-request") != .principal("alice"))
        #expect(verifier.principal(signing: "not a signature", message: message, namespace: "runbook-request") == .undecided)
    }

    /// Lines with options, patterns or several principals, and other key types, are left to
    /// ssh-keygen, even when the same key is also on a plain line.
    @Test func restrictedLinesAreLeftToSSHKeygen() async throws {
        let alice = try keys.make("alice")
        let bob = try keys.make("bob")
        let carol = try keys.make("carol")
        let rsaPath = keys.folder.appendingPathComponent("rsa").path
        #expect(try SSHTestKeys.run("/usr/bin/ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", "rsa", "-f", rsaPath]) == 0)
        let allowed = try keys.allowedSigners([("alice", "namespaces=\"git\"", alice), ("alice", "", alice), ("bob", "valid-before=\"20200101\"", bob),
                                               ("carol,dave", "", carol), ("rita", "", rsaPath)])
        let verifier = try verifier(allowed)
        let message = Array("request".utf8)
        for key in [alice, bob, carol, rsaPath] {
            let signature = try await keygen.sign(message: message, key: key, namespace: "runbook-request")
            #expect(verifier.principal(signing: signature, message: message, namespace: "runbook-request") == .undecided, "\(key)")
        }
        // The expired key: ssh-keygen refuses it, and so the runner does.
        let expired = try await keygen.sign(message: message, key: bob, namespace: "runbook-request")
        #expect(await !keygenAccepts(message, expired, "bob", allowed, namespace: "runbook-request"))
    }
}
