import Foundation
import Testing

/// Identity and signed checkpoints, end to end: real keys made by ssh-keygen in the test's
/// project folder, an environment whose `identity` names an allowed_signers file.
extension CLITests {
    /// A new ed25519 key in the project folder; its private key path.
    func sshKey(_ name: String) throws -> String { try Self.sshKey(name, in: home) }

    /// A new ed25519 key made by ssh-keygen in `folder` (no passphrase); its private key path.
    static func sshKey(_ name: String, in folder: URL) throws -> String {
        let path = folder.appendingPathComponent(name).path
        let keygen = Process()
        keygen.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-keygen")
        keygen.arguments = ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path]
        keygen.standardInput = FileHandle.nullDevice
        try keygen.run()
        keygen.waitUntilExit()
        #expect(keygen.terminationStatus == 0)
        return path
    }

    /// A key made by ssh-keygen in `folder` for each of `names` (at `folder/NAME`), and the
    /// allowed_signers text naming each as `NAME@domain`.
    static func allowedSigners(_ names: [String], domain: String = "example.com", in folder: URL) throws -> String {
        try names.map { name in
            "\(name)@\(domain) " + (try String(contentsOfFile: try sshKey(name, in: folder) + ".pub", encoding: .utf8))
        }.joined()
    }

    /// `environments/ops.yaml` with identity, and its allowed_signers naming alice's key; alice's key.
    func identityEnvironment() throws -> (alice: String, eve: String) {
        let alice = try sshKey("alice"), eve = try sshKey("eve")
        let publicKey = try String(contentsOfFile: alice + ".pub", encoding: .utf8)
        write("environments/ops.allowed_signers", "# on-call\nalice@example.com \(publicKey)")
        write("environments/ops.yaml", "environment: ops\nidentity:\n  allowed_signers: environments/ops.allowed_signers\n")
        return (alice, eve)
    }

    /// Runs the binary with neither the developer's agent nor their signing key.
    func runbookWithoutAgent(_ args: [String], environment: [String: String] = [:]) throws -> Output {
        let process = try launch(args, environment: ["SSH_AUTH_SOCK": "", "RUNBOOK_SIGNING_KEY": ""].merging(environment) { $1 })
        return collect(process)
    }

    var auditRecords: [[String: Any]] {
        let text = (try? String(contentsOfFile: audit, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    var checkpoints: [[String: Any]] {
        let text = (try? String(contentsOfFile: audit + ".checkpoints", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func identityRefusesALiveRunWithoutAKeyAndRunsNothing() throws {
        _ = try identityEnvironment()
        let out = try runbookWithoutAgent(["run", "demo", "--env", "ops", "--input", "level=9", "--yes"])
        #expect(out.code == 2)
        #expect(out.stderr.contains("error: environment 'ops' names its operators (identity in environments/ops.yaml): a live run needs your SSH key"), "\(out.stderr)")
        #expect(out.stderr.contains("nothing was run"))
        #expect(!auditRecords.contains { $0["event"] as? String == "run.started" })
        #expect(!actionRan)
    }

    @Test func identityRefusesAKeyNoAllowedSignerHolds() throws {
        let keys = try identityEnvironment()
        let out = try runbookWithoutAgent(["run", "demo", "--env", "ops", "--input", "level=9", "--yes", "--key", keys.eve])
        #expect(out.code == 2)
        #expect(out.stderr.contains("belongs to no allowed signer"), "\(out.stderr)")
        #expect(!auditRecords.contains { $0["event"] as? String == "run.started" })
        #expect(!actionRan)
    }

    @Test func identityRefusesAllowedSignersThatDoNotParse() throws {
        let keys = try identityEnvironment()
        write("environments/ops.allowed_signers", "# on-call\nalice@example.com ssh-ed25519\n")
        let out = try runbookWithoutAgent(["run", "demo", "--env", "ops", "--yes", "--key", keys.alice])
        #expect(out.code == 2)
        #expect(out.stderr.contains("environments/ops.allowed_signers:2:30: error: missing the base64 public key after ssh-ed25519"), "\(out.stderr)")
        #expect(!auditRecords.contains { $0["event"] as? String == "run.started" })
    }

    @Test func thePrincipalIsTheOperatorAndTheRunEndsWithASignedCheckpoint() throws {
        let keys = try identityEnvironment()
        let out = try runbookWithoutAgent(["run", "demo", "--env", "ops", "--key", keys.alice, "--operator", "mallory"])
        #expect(out.code == 0, "\(out.stderr)")
        #expect(out.stderr.contains("note: --operator mallory is not used: your key names you alice@example.com"), "\(out.stderr)")
        #expect(out.stdout.contains("checkpoint: seq"), "\(out.stdout)")
        let started = try #require(auditRecords.first { $0["event"] as? String == "run.started" })
        #expect(started["operator"] as? String == "alice@example.com")
        // The checkpoint covers the last record, run.ended, and is signed by alice.
        let last = try #require(auditRecords.last)
        #expect(last["event"] as? String == "run.ended")
        let checkpoint = try #require(checkpoints.first)
        #expect(checkpoints.count == 1)
        #expect(checkpoint["principal"] as? String == "alice@example.com")
        #expect(checkpoint["seq"] as? Int == last["seq"] as? Int)
        #expect(checkpoint["run_id"] as? String == last["run_id"] as? String)
        #expect((checkpoint["signature"] as? String)?.hasPrefix("-----BEGIN SSH SIGNATURE-----") == true)
        let mode = try FileManager.default.attributesOfItem(atPath: audit + ".checkpoints")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let verify = try runbookWithoutAgent(["audit", "verify", "--env", "ops"])
        #expect(verify.code == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("1 checkpoint, the last signed by alice@example.com"), "\(verify.stdout)")
        #expect(verify.stdout.contains("signatures verified against"))
    }

    @Test func aDryRunWithoutAKeyRunsAsBeforeAndWithOneRecordsThePrincipal() throws {
        let keys = try identityEnvironment()
        let plain = try runbookWithoutAgent(["run", "demo", "--env", "ops", "--dry-run", "--operator", "mallory"])
        #expect(plain.code == 0, "\(plain.stderr)")
        #expect(checkpoints.isEmpty)
        let signed = try runbookWithoutAgent(["run", "demo", "--env", "ops", "--dry-run"], environment: ["RUNBOOK_SIGNING_KEY": keys.alice])
        #expect(signed.code == 0, "\(signed.stderr)")
        let operators = auditRecords.filter { $0["event"] as? String == "run.started" }.map { $0["operator"] as? String }
        #expect(operators == ["mallory", "alice@example.com"])
        #expect(checkpoints.count == 1)
    }

    @Test func anEnvironmentWithoutIdentityStillSignsCheckpointsWithAKey() throws {
        let keys = try identityEnvironment()
        let out = try runbookWithoutAgent(["run", "demo", "--key", keys.alice, "--operator", "alice@example.com"])
        #expect(out.code == 0, "\(out.stderr)")
        #expect(checkpoints.first?["principal"] as? String == "alice@example.com")
        let verify = try runbookWithoutAgent(["audit", "verify", "--allowed-signers", home.appendingPathComponent("environments/ops.allowed_signers").path])
        #expect(verify.code == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test func auditVerifyNamesALogCutBehindItsLastCheckpoint() throws {
        let keys = try identityEnvironment()
        for _ in 0..<2 { #expect(try runbookWithoutAgent(["run", "demo", "--env", "ops", "--key", keys.alice]).code == 0) }
        let lines = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n")
        let lastSeq = lines.count
        let runID = try #require(checkpoints.last?["run_id"] as? String)
        try (lines.dropLast(3).joined(separator: "\n") + "\n").write(toFile: audit, atomically: true, encoding: .utf8)
        let out = try runbookWithoutAgent(["audit", "verify", "--env", "ops"])
        #expect(out.code == 1)
        #expect(out.stdout.contains("TAMPERED: \(audit).checkpoints: checkpoint on line 2 (seq \(lastSeq), run \(runID)): "
            + "the log ends at seq \(lastSeq - 3) but the checkpoint signed by alice@example.com"), "\(out.stdout)")
        #expect(out.stdout.contains("records were cut from the end of the log"))
    }

    @Test func auditVerifyNamesARecordEditedUnderACheckpoint() throws {
        let keys = try identityEnvironment()
        #expect(try runbookWithoutAgent(["run", "demo", "--env", "ops", "--key", keys.alice]).code == 0)
        var lines = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n").map(String.init)
        let seq = lines.count
        lines[seq - 1] = lines[seq - 1].replacingOccurrences(of: "\"status\":\"green\"", with: "\"status\":\"red\"")
        try (lines.joined(separator: "\n") + "\n").write(toFile: audit, atomically: true, encoding: .utf8)
        let runID = try #require(checkpoints.last?["run_id"] as? String)
        let out = try runbookWithoutAgent(["audit", "verify"])
        #expect(out.code == 1)
        #expect(out.stdout.contains("checkpoint on line 1 (seq \(seq), run \(runID)): the record of seq \(seq) is not the one the checkpoint signed by alice@example.com"), "\(out.stdout)")
    }

    /// Eve signs a checkpoint as alice (`audit checkpoint` with no environment to check her):
    /// `audit verify` with the allowed signers names it; without them it says signatures were not checked.
    @Test func auditVerifyNamesAForgedCheckpoint() throws {
        let keys = try identityEnvironment()
        #expect(try runbookWithoutAgent(["run", "demo", "--env", "ops", "--key", keys.alice]).code == 0)
        let forged = try runbookWithoutAgent(["audit", "checkpoint", "--key", keys.eve, "--operator", "alice@example.com"])
        #expect(forged.code == 0, "\(forged.stderr)")
        let seq = try #require(checkpoints.last?["seq"] as? Int)
        let runID = try #require(auditRecords.last?["run_id"] as? String)
        let unchecked = try runbookWithoutAgent(["audit", "verify"])
        #expect(unchecked.code == 0, "\(unchecked.stdout)")
        #expect(unchecked.stdout.contains("signatures not checked (no allowed_signers"))
        let out = try runbookWithoutAgent(["audit", "verify", "--env", "ops"])
        #expect(out.code == 1)
        #expect(out.stdout.contains("checkpoint on line 2 (seq \(seq), run \(runID)): the signature of alice@example.com does not verify"), "\(out.stdout)")
        #expect(!out.stdout.contains("checkpoint on line 1"))
        // With the environment, eve's key cannot even make one.
        let refused = try runbookWithoutAgent(["audit", "checkpoint", "--env", "ops", "--key", keys.eve])
        #expect(refused.code == 2)
        let signed = try runbookWithoutAgent(["audit", "checkpoint", "--env", "ops", "--key", keys.alice])
        #expect(signed.code == 0 && signed.stdout.contains("signed by alice@example.com"), "\(signed.stdout)\(signed.stderr)")
    }
}
