import ArgumentParser
import Foundation
import RunbookCore
import RunbookDrivers
import RunbookLedger
import Synchronization

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Read and verify the hash-chained audit log.",
        subcommands: [Verify.self, ListRuns.self, ShowRun.self, Sync.self, MakeCheckpoint.self])

    struct Options: ParsableArguments {
        @Option(name: .customLong("audit-log"), help: "The audit log (default: $RUNBOOK_AUDIT_LOG or ~/.local/state/runbook/audit.jsonl).")
        var auditLog: String?

        var path: String { auditLog ?? AuditLog.defaultPath(environment: ProcessInfo.processInfo.environment) }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check the chain and its signed checkpoints: exit 0 intact, 1 tampered (names the line, or the seq and run), 4 ledger unreachable.",
            discussion: """
                A record torn by a crash or a full disk is reported on a warning line (its line, and the record before it); \
                it is not tampering and alone does not change the exit code. Checkpoints (<log>.checkpoints) are checked \
                against the log (edited records, a log cut behind a checkpoint); their signatures against --allowed-signers \
                or the identity of --env. With --ledger, the environment's ledger is verified too (every operator's chains, \
                rows rewritten or deleted, checkpoints and their signatures) and compared with the local log; local records \
                that have not reached the ledger yet are reported as pending, not as tampering.
                """)
        @OptionGroup var options: Options
        @Flag(name: .customLong("ledger"), help: "Also verify the environment's ledger and compare it with the local log.")
        var ledger = false
        @OptionGroup var ledgerOptions: LedgerOptions
        @Option(name: .customLong("allowed-signers"), help: "An OpenSSH allowed_signers file that checks checkpoint signatures (default: the identity of --env).")
        var allowedSignersFlag: String?

        func run() async throws {
            // The policy an auditor checks against is the team's files as they are (from git),
            // never the caller's variables: the environment is read a second time without
            // them, so RUNBOOK_ALLOWED_SIGNERS or a variable in approvals: cannot swap the
            // allowed signers, the approvers or the runner's principal. Only the ledger's
            // address comes from the variables.
            let named = ledgerOptions.environment != nil || ledger ? try ledgerOptions.loadEnvironment() : nil
            let team = try named.map { _ in try ledgerOptions.loadTeamEnvironment() }
            let allowedSigners = try resolveAllowedSigners(path: allowedSignersFlag, environment: team, home: ledgerOptions.home.home)
            let localExists = FileManager.default.fileExists(atPath: options.path)
            var tampered = false
            var localIntact = true
            if localExists || !ledger {
                let report: AuditVerifier.Report
                do { report = try AuditVerifier.verify(path: options.path) } catch {
                    throw CommandFailure(.usage, "error: \(error)")
                }
                for crash in report.crashes { print("warning: \(options.path): \(crash)") }
                if let problem = report.problem { print("TAMPERED: \(options.path): \(problem)") }
                // The signed checkpoints of the local log.
                let checkpoints = try await verifyCheckpoints(auditLog: options.path, allowedSigners: allowedSigners)
                // Four-eyes approvals the log's actions ran with (issue 11).
                var approvalsSummary = ""
                var approvalsIntact = true
                if let allowedSigners, report.problem == nil, let records = try? AuditVerifier.records(path: options.path) {
                    let found = await ApprovalAudit.verifyLocal(records: records, allowedSigners: allowedSigners, environment: team)
                    for problem in found.problems { print("TAMPERED: \(options.path): \(problem)") }
                    approvalsIntact = found.problems.isEmpty
                    if found.gates > 0 { approvalsSummary = "; \(found.gates) four-eyes gate\(found.gates == 1 ? "" : "s") passed with enough valid approvals" }
                }
                if report.problem != nil || !checkpoints.intact || !approvalsIntact {
                    tampered = true
                    localIntact = false
                } else {
                    let torn = report.crashes.count
                    print("intact: \(options.path): \(report.records) records, \(report.runs) runs, chain verified"
                        + (torn == 0 ? "" : " (\(torn) torn write\(torn == 1 ? "" : "s") from a crash, see the warning\(torn == 1 ? "" : "s"))") + checkpoints.summary + approvalsSummary)
                }
            } else {
                print("no local audit log at \(options.path): verifying the ledger alone")
            }
            if ledger {
                let (connection, env) = try await ledgerOptions.connect()
                let redactor = Redactor(secrets: env.secrets)
                let audit: LedgerAudit
                do {
                    try await connection.requireCurrentSchema()
                    audit = try await LedgerAudit.verify(connection, name: "ledger (\(connection.target))", localPath: localExists ? options.path : nil,
                                                         localIntact: localIntact, allowedSigners: allowedSigners,
                                                         policy: team?.approvalPolicy ?? ApprovalPolicy(), environment: env.name,
                                                         runnerPrincipal: team?.runnerPrincipal)
                } catch {
                    await connection.close()
                    throw ledgerFailure(error, redactor: redactor)
                }
                await connection.close()
                for line in audit.lines { print(line.text) }
                if !audit.intact { tampered = true }
            }
            if tampered { throw CommandFailure(.failed) }
        }
    }

    struct ListRuns: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "One line per run.")
        @OptionGroup var options: Options

        func run() throws {
            let records: [ValueObject]
            do { records = try AuditVerifier.records(path: options.path) } catch {
                throw CommandFailure(.usage, "error: \(error)")
            }
            var ended: [String: ValueObject] = [:]
            for r in records where r["event"]?.stringValue == "run.ended" { ended[r["run_id"]?.stringValue ?? ""] = r }
            for r in records where r["event"]?.stringValue == "run.started" {
                let id = r["run_id"]?.stringValue ?? "?"
                let end = ended[id]
                let fields = [r["ts"], r["runbook"], r["environment"], r["mode"], r["operator"]].map { $0?.interpolated ?? "?" }
                let status = end?["status"]?.interpolated ?? "unfinished"
                print("\(id)  \(fields.joined(separator: "  "))  \(status)")
            }
        }
    }

    struct ShowRun: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Every record of one run.")
        @OptionGroup var options: Options
        @Argument(help: "The run id.") var runID: String

        func run() throws {
            let records: [ValueObject]
            do { records = try AuditVerifier.records(path: options.path) } catch {
                throw CommandFailure(.usage, "error: \(error)")
            }
            let mine = records.filter { $0["run_id"]?.stringValue == runID }
            guard !mine.isEmpty else {
                throw CommandFailure(.usage, "error: no run '\(runID)' in \(options.path)")
            }
            for r in mine {
                var o = r
                let head = [o["ts"], o["event"]].map { $0?.interpolated ?? "" }.joined(separator: " ")
                for k in ["ts", "event", "run_id", "prev", "seq"] { o[k] = nil }
                print("\(head)  \(JSON.encode(.object(o)))")
            }
        }
    }

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sync",
            abstract: "Send the local audit log's records that the ledger lacks (each exactly once).",
            discussion: "Exit 0 when the ledger holds every record of the log, 4 when the ledger cannot be reached, 1 when it holds a different record at one of the log's seqs (run `audit verify --ledger`).")
        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var options: Options

        func run() async throws {
            let env = try ledger.loadEnvironment()
            let redactor = Redactor(secrets: env.secrets)
            guard let url = env.ledgerURL else {
                throw CommandFailure(.usage, "error: environment '\(env.name)' names no ledger: add ledger: {url: ...} to \(env.path ?? "its file")")
            }
            guard FileManager.default.fileExists(atPath: options.path) else {
                throw CommandFailure(.usage, "error: no audit log at \(options.path)")
            }
            let warning = WarningBox()
            let writer = LedgerWriter(url: url, logPath: options.path, host: ProcessInfo.processInfo.hostName, environment: env.name,
                                      backlogLimit: .max) { message in warning.set(redactor.redact(message)) }
            await writer.push()
            // The signed checkpoints kept next to the log (a run whose ledger was down kept
            // its checkpoint only there); the ledger skips those it holds.
            let local: [Checkpoint]
            do { local = try CheckpointFile(auditLog: options.path).read().compactMap(\.checkpoint) } catch {
                printError("error: \(error.message)")
                await writer.close()
                throw CommandFailure(.failed)
            }
            let checkpoints = await writer.send(local)
            let sent = await writer.recordsSent
            let head = await writer.sent
            let down = await writer.isDown
            await writer.close()
            if down, let message = warning.message {
                throw CommandFailure(message.contains("different record") || message.contains("was truncated") ? .failed : .unavailable,
                                     message.hasPrefix("warning: ") ? "error: " + message.dropFirst(9) : message)
            }
            print("synced: \(options.path): \(sent) record\(sent == 1 ? "" : "s") sent; the ledger holds this log up to seq \(head)"
                  + (local.isEmpty ? "" : ", and \(checkpoints.held) of its \(local.count) signed checkpoint\(local.count == 1 ? "" : "s") (\(checkpoints.new) sent now)"))
        }
    }
}

/// The one message a ledger writer says, kept for the command to print its own way.
final class WarningBox: Sendable {
    private let text = Mutex<String?>(nil)
    func set(_ message: String) { text.withLock { $0 = message } }
    var message: String? { text.withLock { $0 } }
}
