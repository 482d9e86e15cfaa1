import Foundation
import RunbookCore
import RunbookDrivers
import Testing

/// Identity with real keys and the real `ssh-keygen` (and `ssh-agent`): signing, finding the
/// principal, verifying, and the ways it must refuse.
@Suite("Identity: SSH keys, principals and signed checkpoints")
struct IdentityTests {
    let keys: SSHTestKeys
    /// No agent unless a test starts one: the developer's own agent must not change a result.
    let keygen = SSHKeygen(agentSocket: nil)

    init() throws { keys = try SSHTestKeys() }

    @Test func signFindPrincipalsAndVerify() async throws {
        let alice = try keys.make("alice")
        let bob = try keys.make("bob")
        let allowed = try keys.allowedSigners([("alice@example.com", "namespaces=\"runbook\"", alice), ("bob@example.com", "", bob)])
        let message = Array("hello\nworld\n".utf8)
        let signature = try await keygen.sign(message: message, key: alice)
        #expect(signature.hasPrefix("-----BEGIN SSH SIGNATURE-----"))
        #expect(try await keygen.findPrincipals(signature: signature, allowedSigners: allowed) == ["alice@example.com"])
        try await keygen.verify(message: message, signature: signature, principal: "alice@example.com", allowedSigners: allowed)
        // Another message, another principal or another namespace: refused.
        await #expect(throws: IdentityError(.signatureInvalid, "the signature does not verify for alice@example.com: Signature verification failed: incorrect signature")) {
            try await keygen.verify(message: Array("hello\n".utf8), signature: signature, principal: "alice@example.com", allowedSigners: allowed)
        }
        let wrongPrincipal = await #expect(throws: IdentityError.self) {
            try await keygen.verify(message: message, signature: signature, principal: "bob@example.com", allowedSigners: allowed)
        }
        #expect(wrongPrincipal?.code == .signatureInvalid)
        let git = try await keygen.sign(message: message, key: alice, namespace: "git")
        let wrongNamespace = await #expect(throws: IdentityError.self) {
            try await keygen.verify(message: message, signature: git, principal: "alice@example.com", allowedSigners: allowed)
        }
        #expect(wrongNamespace?.code == .signatureInvalid)
    }

    @Test func operatorIsThePrincipalOfTheKey() async throws {
        let alice = try keys.make("alice")
        let allowed = try keys.allowedSigners([("alice@example.com,alice@ops", "", alice)])
        let identity = try await OperatorIdentity.resolve(key: alice, allowedSigners: allowed, keygen: keygen)
        #expect(identity.principal == "alice@example.com")
        // A pattern names nobody by itself; a claimed name it allows does.
        let pattern = try keys.allowedSigners([("*@example.com", "", alice)], name: "pattern")
        let refused = await #expect(throws: IdentityError.self) { try await OperatorIdentity.resolve(key: alice, allowedSigners: pattern, keygen: keygen) }
        #expect(refused?.code == .notAllowed)
        #expect(refused?.message.contains("only by a pattern (*@example.com)") == true, "\(String(describing: refused))")
        let claimed = try await OperatorIdentity.resolve(key: alice, allowedSigners: pattern, claimed: "carol@example.com", keygen: keygen)
        #expect(claimed.principal == "carol@example.com")
    }

    @Test func aKeyNoAllowedSignerHoldsIsRefused() async throws {
        let alice = try keys.make("alice")
        let eve = try keys.make("eve")
        let allowed = try keys.allowedSigners([("alice@example.com", "", alice)])
        let error = await #expect(throws: IdentityError.self) { try await OperatorIdentity.resolve(key: eve, allowedSigners: allowed, keygen: keygen) }
        #expect(error?.code == .notAllowed)
        #expect(error?.message.contains("belongs to no allowed signer") == true)
    }

    @Test func aKeyAllowedOnlyForAnotherNamespaceIsRefused() async throws {
        let alice = try keys.make("alice")
        let allowed = try keys.allowedSigners([("alice@example.com", "namespaces=\"git\"", alice)])
        let error = await #expect(throws: IdentityError.self) { try await OperatorIdentity.resolve(key: alice, allowedSigners: allowed, keygen: keygen) }
        #expect(error?.code == .notAllowed, "\(String(describing: error))")
    }

    /// Without an agent, a passphrase-protected key fails at once with a clear message: never
    /// a prompt, never the timeout.
    @Test func aPassphraseKeyWithoutAgentFailsAtOnce() async throws {
        let bob = try keys.make("bob", passphrase: "correct horse")
        let error = await #expect(throws: IdentityError.self) { try await keygen.sign(message: Array("line one\nline two\n".utf8), key: bob) }
        #expect(error?.code == .passphraseRequired, "\(String(describing: error))")
        #expect(error?.message.contains("ssh-add") == true)
    }

    @Test func aMissingKeyOrKeygenIsNamed() async throws {
        let missing = await #expect(throws: IdentityError.self) { try await keygen.sign(message: [], key: keys.folder.appendingPathComponent("none").path) }
        #expect(missing?.code == .keyUnreadable)
        let notAKey = keys.folder.appendingPathComponent("junk").path
        try "not a key\n".write(toFile: notAKey, atomically: true, encoding: .utf8)
        let junk = await #expect(throws: IdentityError.self) { try await keygen.sign(message: [], key: notAKey) }
        #expect(junk?.code == .keyUnreadable, "\(String(describing: junk))")
        let noKeygen = SSHKeygen(executable: keys.folder.appendingPathComponent("ssh-keygen").path, agentSocket: nil)
        let unavailable = await #expect(throws: IdentityError.self) { try await noKeygen.sign(message: [], key: notAKey) }
        #expect(unavailable?.code == .keygenUnavailable)
    }

    /// The key's private half is only in ssh-agent: the public half names it.
    @Test func aKeyInTheAgentSignsThroughItsPublicHalf() async throws {
        let agent = try TestSSHAgent(folder: keys.folder)
        defer { agent.stop() }
        let alice = try keys.make("alice")
        let bob = try keys.make("bob", passphrase: "correct horse")
        let allowed = try keys.allowedSigners([("alice@example.com", "", alice), ("bob@example.com", "", bob)])
        #expect(try agent.add(alice, folder: keys.folder) == 0)
        #expect(try agent.add(bob, passphrase: "correct horse", folder: keys.folder) == 0)
        try FileManager.default.removeItem(atPath: alice)  // only alice.pub is left on disk
        let withAgent = SSHKeygen(agentSocket: agent.socket)
        #expect(try await OperatorIdentity.resolve(key: alice + ".pub", allowedSigners: allowed, keygen: withAgent).principal == "alice@example.com")
        // A passphrase-protected key the agent holds needs no passphrase either.
        #expect(try await OperatorIdentity.resolve(key: bob, allowedSigners: allowed, keygen: withAgent).principal == "bob@example.com")
        // Without the agent, the public half alone cannot sign.
        let error = await #expect(throws: IdentityError.self) { try await keygen.sign(message: [1], key: alice + ".pub") }
        #expect(error != nil)
    }

    // MARK: Checkpoints

    func log(runs: Int, in folder: URL) throws -> AuditLog {
        let log = try AuditLog(path: folder.appendingPathComponent("audit.jsonl").path)
        for r in 1...runs {
            for event in ["run.started", "run.ended"] { try log.append(event: event, runID: "run-\(r)", fields: [], sync: false) }
        }
        return log
    }

    @Test func aCheckpointIsSignedByThePrincipalAndVerifies() async throws {
        let alice = try keys.make("alice")
        let allowed = try keys.allowedSigners([("alice@example.com", "", alice)])
        let log = try log(runs: 2, in: keys.folder)
        let writer = CheckpointWriter(key: alice, principal: "alice@example.com", keygen: keygen)
        let checkpoint = try await writer.write(log: log, runID: "run-2")
        #expect(checkpoint.seq == 4 && checkpoint.runID == "run-2" && checkpoint.previous == Checkpoint.genesis)
        #expect(checkpoint.hash == (try log.head()).hash)
        #expect(checkpoint.source == (try AuditLog.firstRecordHash(path: log.path)))
        try await Checkpoint.verify(checkpoint, allowedSigners: allowed, keygen: keygen)
        // What the file holds is what was returned (the ledger stores the same).
        let stored = try CheckpointFile(auditLog: log.path).read()
        #expect(stored.map(\.checkpoint) == [checkpoint])
        let second = try await writer.write(log: log, runID: nil)
        #expect(second.previous == checkpoint.digest)
        let report = try await CheckpointAudit.verify(auditLog: log.path, allowedSigners: allowed, keygen: keygen)
        #expect(report.intact, "\(report.problems)")
        #expect(report.checkpoints.count == 2)
        // Edited after signing: the signature no longer holds.
        var edited = checkpoint
        edited.seq = 3
        let error = await #expect(throws: IdentityError.self) { try await Checkpoint.verify(edited, allowedSigners: allowed, keygen: keygen) }
        #expect(error?.code == .signatureInvalid)
    }

    /// A key retired with `valid-before` still verifies what it signed before then: keys are
    /// checked at the checkpoint's time.
    @Test func aRetiredKeyStillVerifiesWhatItSignedWhileValid() async throws {
        let alice = try keys.make("alice")
        let allowed = try keys.allowedSigners([("alice@example.com", "valid-before=\"20210101\"", alice)])
        let writer = CheckpointWriter(key: alice, principal: "alice@example.com", keygen: keygen)
        let source = String(repeating: "a", count: 64), hash = String(repeating: "b", count: 64)
        let before = try await writer.make(source: source, seq: 1, hash: hash, previous: Checkpoint.genesis, runID: nil, time: "2020-06-01T00:00:00.000Z")
        try await Checkpoint.verify(before, allowedSigners: allowed, keygen: keygen)
        let after = try await writer.make(source: source, seq: 1, hash: hash, previous: Checkpoint.genesis, runID: nil, time: "2021-06-01T00:00:00.000Z")
        let error = await #expect(throws: IdentityError.self) { try await Checkpoint.verify(after, allowedSigners: allowed, keygen: keygen) }
        #expect(error?.code == .signatureInvalid)
    }

    /// Eve signs a checkpoint claiming to be alice: it chains and covers the right hash, but
    /// its signature is refused, naming its seq and run.
    @Test func aForgedCheckpointIsNamed() async throws {
        let alice = try keys.make("alice")
        let eve = try keys.make("eve")
        let allowed = try keys.allowedSigners([("alice@example.com", "", alice)])
        let log = try log(runs: 1, in: keys.folder)
        _ = try await CheckpointWriter(key: alice, principal: "alice@example.com", keygen: keygen).write(log: log, runID: "run-1")
        try log.append(event: "run.started", runID: "run-2", fields: [], sync: true)
        _ = try await CheckpointWriter(key: eve, principal: "alice@example.com", keygen: keygen).write(log: log, runID: "run-2")
        let report = try await CheckpointAudit.verify(auditLog: log.path, allowedSigners: allowed, keygen: keygen)
        #expect(report.problems.count == 1)
        let finding = try #require(report.problems.first)
        #expect(finding.line == 2 && finding.seq == 3 && finding.runID == "run-2")
        #expect(finding.message.contains("the signature of alice@example.com does not verify"), "\(finding)")
        // Without allowed signers the hashes still hold: nothing to report.
        #expect(try await CheckpointAudit.verify(auditLog: log.path, allowedSigners: nil, keygen: keygen).intact)
    }
}
