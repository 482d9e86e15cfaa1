import ArgumentParser
import Foundation
import RunbookCore

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Read and verify the hash-chained audit log.",
        subcommands: [Verify.self, ListRuns.self, ShowRun.self, MakeCheckpoint.self])

    struct Options: ParsableArguments {
        @Option(name: .customLong("audit-log"), help: "The audit log (default: $RUNBOOK_AUDIT_LOG or ~/.local/state/runbook/audit.jsonl).")
        var auditLog: String?

        var path: String { auditLog ?? AuditLog.defaultPath(environment: ProcessInfo.processInfo.environment) }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check the chain and its signed checkpoints: exit 0 intact, 1 tampered (names the line, or the checkpoint's seq and run).",
            discussion: "A record torn by a crash or a full disk is reported on a warning line (its line, and the record before it); it is not tampering and alone does not change the exit code. "
                + "Checkpoints (<log>.checkpoints) are checked against the log (edited records, a log cut behind a checkpoint); their signatures against --allowed-signers or the identity of --env.")
        @OptionGroup var options: Options
        @OptionGroup var signers: SignersOptions

        func run() async throws {
            let allowedSigners = try signers.resolve()
            let report: AuditVerifier.Report
            do { report = try AuditVerifier.verify(path: options.path) } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
            for crash in report.crashes { print("warning: \(options.path): \(crash)") }
            if let problem = report.problem { print("TAMPERED: \(options.path): \(problem)") }
            // Identity (issue 10): the signed checkpoints.
            let checkpoints = try await verifyCheckpoints(auditLog: options.path, allowedSigners: allowedSigners)
            if report.problem != nil || !checkpoints.intact { throw ExitCode(1) }
            let torn = report.crashes.count
            print("intact: \(options.path): \(report.records) records, \(report.runs) runs, chain verified"
                + (torn == 0 ? "" : " (\(torn) torn write\(torn == 1 ? "" : "s") from a crash, see the warning\(torn == 1 ? "" : "s"))") + checkpoints.summary)
        }
    }

    struct ListRuns: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "One line per run.")
        @OptionGroup var options: Options

        func run() throws {
            let records: [ValueObject]
            do { records = try AuditVerifier.records(path: options.path) } catch {
                printError("error: \(error)")
                throw ExitCode(2)
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
                printError("error: \(error)")
                throw ExitCode(2)
            }
            let mine = records.filter { $0["run_id"]?.stringValue == runID }
            guard !mine.isEmpty else {
                printError("error: no run '\(runID)' in \(options.path)")
                throw ExitCode(2)
            }
            for r in mine {
                var o = r
                let head = [o["ts"], o["event"]].map { $0?.interpolated ?? "" }.joined(separator: " ")
                for k in ["ts", "event", "run_id", "prev", "seq"] { o[k] = nil }
                print("\(head)  \(JSON.encode(.object(o)))")
            }
        }
    }
}
