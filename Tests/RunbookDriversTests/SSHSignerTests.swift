import Foundation
import RunbookCore
import RunbookDrivers
import Testing

/// The runner's in-process signing against the real `ssh-keygen`: a key made by ssh-keygen,
/// its signature verified by `ssh-keygen -Y verify`; every key it must leave to ssh-keygen.
@Suite("SSHSigner: in-process ed25519 SSHSIG signatures that ssh-keygen verifies")
struct SSHSignerTests {
    let keys: SSHTestKeys
    /// A generous bound: these compare verdicts, not speed (a loaded machine may be slow).
    let keygen = SSHKeygen(timeout: .seconds(60), agentSocket: nil)

    init() throws { keys = try SSHTestKeys() }

    @Test func aSignatureMadeInProcessVerifiesWithSSHKeygen() async throws {
        let runner = try keys.make("runner")
        let allowed = try keys.allowedSigners([("runner", "", runner)])
        let signer = try #require(SSHSigner(keyFile: runner))
        let message = Array("checkpoint\nseq 12\n".utf8)
        let signature = try signer.sign(message, namespace: "runbook")
        try await keygen.verify(message: message, signature: signature, principal: "runner", allowedSigners: allowed, namespace: "runbook")
        // It signs that message in that namespace only.
        await #expect(throws: IdentityError.self) {
            try await keygen.verify(message: Array("checkpoint\nseq 13\n".utf8), signature: signature, principal: "runner", allowedSigners: allowed, namespace: "runbook")
        }
        await #expect(throws: IdentityError.self) {
            try await keygen.verify(message: message, signature: signature, principal: "runner", allowedSigners: allowed, namespace: "runbook-request")
        }
        // Through SSHKeygen: its own key in process, the same result.
        var fast = keygen
        fast.inProcess = signer
        let viaKeygen = try await fast.sign(message: message, key: runner)
        try await keygen.verify(message: message, signature: viaKeygen, principal: "runner", allowedSigners: allowed, namespace: "runbook")
    }

    @Test func otherKeysAreLeftToSSHKeygen() throws {
        let protected = try keys.make("protected", passphrase: "correct horse")
        #expect(SSHSigner(keyFile: protected) == nil)
        #expect(SSHSigner(keyFile: protected + ".pub") == nil)
        let rsa = keys.folder.appendingPathComponent("rsa").path
        #expect(try SSHTestKeys.run("/usr/bin/ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", rsa]) == 0)
        #expect(SSHSigner(keyFile: rsa) == nil)
        // A key others may read: ssh-keygen refuses it, so it is not used here either.
        let open = try keys.make("open")
        #expect(chmod(open, 0o644) == 0)
        #expect(SSHSigner(keyFile: open) == nil)
        #expect(SSHSigner(keyFile: keys.folder.appendingPathComponent("missing").path) == nil)
    }
}
