import Foundation
import RunbookCore
import Testing

extension SandboxSuites {
    /// Manutenção semanal against the `weekly-maintenance` scenario (120 days of history, rotated
    /// logs older than 30 days). The dry run lists exactly the files and rows and changes
    /// nothing; the live run deletes exactly the listed logs, archives exactly the counted rows
    /// (with their DLQ entries), writes the weekly report and the config backup.
    @Suite("runbook weekly-maintenance")
    struct WeeklyMaintenanceTests {
        let sandbox: Sandbox
        init() throws { sandbox = try Sandbox.current() }

        /// Row counts of the tables the runbook may touch, and whether the archive exists.
        let tables = """
            SELECT (SELECT count(*) FROM etl_file) || '/' || (SELECT count(*) FROM etl_dead_letter_queue) || '/' ||
                   (SELECT count(*) FROM cattle_lot) || '/' || (SELECT count(*) FROM etl_alert_history) || '/' ||
                   coalesce(to_regclass('etl_file_archive')::text, 'no archive')
            """

        @Test func dryRunListsExactlyAndLiveRunDeletesArchivesAndBacksUp() throws {
            try sandbox.reseed("weekly-maintenance")
            let logs = URL(fileURLWithPath: sandbox.logDir)
            let fm = FileManager.default
            // `find -mtime +30` turns true as a file reaches 31 days. The seed dates rotated logs
            // to midnight, so a file within a day of that line could cross it between the listing
            // and the live run, at the hour of day the test happens to run: those files go.
            for (path, file) in try Self.files(under: logs) where file.age >= 30 && file.age < 32 {
                try fm.removeItem(atPath: path)
            }
            let backup = fm.temporaryDirectory.appendingPathComponent("weekly-backup-\(UUID().uuidString)")
            defer { try? fm.removeItem(at: backup) }
            let extra = ["ETL_BACKUP_DIR": backup.path]
            let audit = Sandbox.auditPath()

            // Beside the seeded logs: an old *.log one folder down (the seed's find recurses: it
            // goes), an old file that is not *.log and a fresh *.log (both stay).
            try fm.createDirectory(at: logs.appendingPathComponent("archive"), withIntermediateDirectories: true)
            try write(logs.appendingPathComponent("archive/old-nested.log"), ageDays: 45)
            try write(logs.appendingPathComponent("old-notes.txt"), ageDays: 60)
            try write(logs.appendingPathComponent("fresh-extra.log"), ageDays: 2)

            let filesBefore = try Self.files(under: logs)
            let expected = filesBefore.filter { $0.value.name.hasSuffix(".log") && $0.value.ageDays > 30 }.keys
            // What the seed wrote, read from the rotated files' names (NAME.YYYY-MM-DD.log, dated
            // by the scripts to the end of their week) rather than a count that depends on
            // which weekday today is: 120 days hold at least 12 whole weeks ending more than
            // 32 days ago, each rotated for the three logs (service, errors, metrics).
            let rotatedOld = Self.rotatedOlderThan30Days(filesBefore.keys)
            #expect(rotatedOld.count >= 36, "the scenario seeds weekly rotated logs older than 30 days: \(rotatedOld.count)")
            #expect(Set(expected) == rotatedOld.union([logs.appendingPathComponent("archive/old-nested.log").path]),
                    "expected by age \(Set(expected).subtracting(rotatedOld)) vs by name \(rotatedOld.subtracting(expected))")
            #expect(expected.contains(logs.appendingPathComponent("archive/old-nested.log").path))
            let tablesBefore = try sandbox.psql(tables)
            let unlinkedBefore = try sandbox.psql("SELECT count(*) FROM etl_dead_letter_queue WHERE file_id IS NULL")

            // Dry run: checks for real, every action planned, nothing changed.
            let dry = try sandbox.runbook(["run", "weekly-maintenance", "--dry-run", "--format", "json"], audit: audit, extra: extra)
            #expect(dry.code == 0, "\(dry.stdout)\(dry.stderr)")
            let dryReport = try Sandbox.report(dry)
            let dryStatus = Sandbox.statuses(dryReport)
            #expect(dryStatus["old-logs"] == "yellow")
            #expect(dryStatus["config-files"] == "green")
            for action in ["delete-old-logs", "create-archive-table", "archive-old-files", "backup-config", "maintenance-plan", "weekly-performance-report"] {
                #expect(dryStatus[action] == "planned", "\(action): \(dryStatus[action] ?? "missing")")
            }
            let listed = Set(Self.lines(Self.result(dryReport, "old-logs")["stdout"] as? String))
            #expect(listed == Set(expected), "listed \(listed.subtracting(expected)) not expected, missing \(Set(expected).subtracting(listed))")

            let dryCandidates = try #require((Self.result(dryReport, "archive-candidates")["rows"] as? [[String: Any]])?.first)
            let dryCutoff = try #require(dryCandidates["cutoff"] as? String)
            let dryFiles = dryCandidates["files"] as? Int ?? -1
            // Counted up to count_limit, 20,000 by default (each candidate is probed against the
            // DLQ and cattle_lot: counting a year of history took seconds), and `more` says so.
            let rowsBeforeCutoff = Int(try sandbox.psql("""
                SELECT count(*) FROM etl_file WHERE status IN ('loaded', 'error') AND completed_at < '\(dryCutoff)'::timestamptz
                """)) ?? -1
            #expect(rowsBeforeCutoff > 20_000, "~21,600 rows finished more than 90 days ago: \(rowsBeforeCutoff)")
            #expect(dryFiles == 20_000 && dryCandidates["more"] as? Bool == true, "the dry run counts up to 20,000 and says there are more: \(dryCandidates)")
            // The plan shown to the operator names every file and the row count.
            let plan = try #require(Self.result(dryReport, "maintenance-plan")["message"] as? String)
            for path in expected { #expect(plan.contains(path), "plan misses \(path)") }
            #expect(plan.contains("\(expected.count) arquivo(s) a apagar"))
            #expect(plan.contains("a mover para etl_file_archive: 20000 ou mais (contadas até 20000)"), "\(plan)")
            #expect(plan.contains("etl-config-"))

            #expect(try Self.files(under: logs).keys.sorted() == filesBefore.keys.sorted(), "the dry run deleted files")
            #expect(try sandbox.psql(tables) == tablesBefore, "the dry run changed the database")
            #expect(!fm.fileExists(atPath: backup.path), "the dry run wrote a backup")

            // A scheduled run: low and medium gates pass, the first high one stops it. The low
            // and medium work comes first, so it archives, reports and backs up, then stops at
            // the log deletion (high: the files are gone for good) and deletes nothing. The
            // candidates counted exactly (count_limit above them), to compare with what moved.
            let exact = ["--input", "count_limit=100000"]
            let lotsBefore = try sandbox.psql("SELECT count(*) FROM cattle_lot")
            let scheduled = try sandbox.runbook(["run", "weekly-maintenance", "--scheduled", "--operator", "cron", "--format", "json"] + exact,
                                                audit: audit, extra: extra)
            #expect(scheduled.code == 3, "\(scheduled.stdout)\(scheduled.stderr)")
            let scheduledReport = try Sandbox.report(scheduled)
            let scheduledStatus = Sandbox.statuses(scheduledReport)
            for (step, status) in ["lot-link": "green", "create-archive-table": "succeeded", "archive-old-files": "succeeded",
                                   "archive-left": "green", "weekly-performance-report": "succeeded", "backup-config": "succeeded",
                                   "backup-verify": "green", "delete-old-logs": "awaiting-approval"] {
                #expect(scheduledStatus[step] == status, "\(step): \(scheduledStatus[step] ?? "missing")")
            }
            let afterGate = try Self.files(under: logs)
            #expect(expected.allSatisfy { afterGate[$0] != nil }, "logs deleted without their named approval")

            // Archive: the counted rows moved, loaded files with lots among them, with their DLQ
            // entries; the lots stayed in cattle_lot, still naming their (archived) file.
            let candidates = try #require((Self.result(scheduledReport, "archive-candidates")["rows"] as? [[String: Any]])?.first)
            let cutoff = try #require(candidates["cutoff"] as? String)
            let moved = candidates["files"] as? Int ?? -1
            let movedDLQ = candidates["dlq_entries"] as? Int ?? -1
            #expect((candidates["loaded"] as? Int ?? 0) > 20_000, "the loaded files (every one has lots) are archived too: \(candidates)")
            let archived = Self.result(scheduledReport, "archive-old-files")["json"] as? [String: Any]
            #expect(archived?["rows"] as? Int == moved, "\(String(describing: archived))")
            #expect(archived?["finished"] as? Bool == true)
            #expect(try sandbox.psql("SELECT count(*) FROM etl_file_archive") == String(moved))
            #expect(try sandbox.psql("SELECT coalesce(sum(jsonb_array_length(dlq_entries)), 0) FROM etl_file_archive") == String(movedDLQ))
            #expect(try sandbox.psql("""
                SELECT count(*) FROM etl_file WHERE status IN ('loaded', 'error') AND completed_at < '\(cutoff)'::timestamptz
                """) == "0", "rows older than the cutoff left in etl_file")
            #expect(try sandbox.psql("SELECT count(*) FROM etl_file_archive WHERE completed_at >= '\(cutoff)'::timestamptz") == "0")
            let before = tablesBefore.split(separator: "/").compactMap { Int($0) }
            let after = try sandbox.psql(tables).split(separator: "/")
            #expect(Int(after[0]) == before[0] - moved, "etl_file")
            #expect(Int(after[1]) == before[1] - movedDLQ, "etl_dead_letter_queue")
            #expect(Int(after[2]) == before[2], "cattle_lot untouched")
            #expect(try sandbox.psql("SELECT count(*) FROM cattle_lot") == lotsBefore)
            #expect(try sandbox.psql("""
                SELECT count(*) FROM cattle_lot c
                 WHERE c.file_id IS NULL OR NOT (EXISTS (SELECT 1 FROM etl_file f WHERE f.id = c.file_id)
                                                 OR EXISTS (SELECT 1 FROM etl_file_archive a WHERE a.id = c.file_id))
                """) == "0", "a lot lost its file")
            #expect((Int(try sandbox.psql("SELECT count(*) FROM cattle_lot c JOIN etl_file_archive a ON a.id = c.file_id")) ?? 0) > 0)
            #expect(try sandbox.psql("SELECT count(*) FROM etl_dead_letter_queue WHERE file_id IS NULL") == unlinkedBefore)

            // The log deletion approved by name: exactly what the check listed goes.
            let live = try sandbox.runbook(["run", "weekly-maintenance", "--yes", "--approve", "delete-old-logs", "--operator", "oncall", "--format", "json"] + exact,
                                           audit: audit, extra: extra)
            #expect(live.code == 0, "\(live.stdout)\(live.stderr)")
            let liveReport = try Sandbox.report(live)
            let liveStatus = Sandbox.statuses(liveReport)
            for (step, status) in ["delete-old-logs": "succeeded", "old-logs-after": "green", "weekly-performance-report": "succeeded",
                                   "backup-config": "succeeded", "backup-verify": "green"] {
                #expect(liveStatus[step] == status, "\(step): \(liveStatus[step] ?? "missing")")
            }
            #expect(liveReport["status"] as? String == "green")

            // Logs: exactly what the live check listed is gone; everything else is still there.
            let liveListed = Set(Self.lines(Self.result(liveReport, "old-logs")["stdout"] as? String))
            #expect(liveListed == Set(expected))
            let filesAfter = try Self.files(under: logs)
            for path in liveListed { #expect(filesAfter[path] == nil, "\(path) was not deleted") }
            let kept = Set(filesBefore.keys).subtracting(liveListed)
            #expect(Set(filesAfter.keys).isSuperset(of: kept), "deleted what was not listed: \(kept.subtracting(filesAfter.keys))")
            #expect(filesAfter[logs.appendingPathComponent("old-notes.txt").path] != nil)
            #expect(filesAfter[logs.appendingPathComponent("fresh-extra.log").path] != nil)
            #expect(filesAfter[logs.appendingPathComponent("etl-service.log").path] != nil)
            #expect(filesAfter.values.allSatisfy { !$0.name.hasSuffix(".log") || $0.ageDays <= 30 })
            // A file finishes every 2 minutes in the history: one may have crossed the 90-day
            // line since the scheduled run, and then it is archived now.
            let crossedLive = (Self.result(liveReport, "archive-candidates")["rows"] as? [[String: Any]])?.first?["files"] as? Int ?? -1
            #expect((0...3).contains(crossedLive), "\(crossedLive)")

            // Report in the operational log; backup written, private, readable, with the config.
            let operational = try String(contentsOf: logs.appendingPathComponent("operational.log"), encoding: .utf8)
            #expect(operational.contains("Relatório semanal de performance"))
            let backups = try fm.contentsOfDirectory(atPath: backup.path).filter { !$0.hasPrefix(".") }
            #expect(backups.count == 1 && backups[0].range(of: #"^etl-config-\d{8}\.tar\.gz$"#, options: .regularExpression) != nil, "\(backups)")
            if let name = backups.first {
                let path = backup.appendingPathComponent(name).path
                let mode = (try fm.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? 0
                #expect(mode & 0o077 == 0, "backup readable by others: \(String(mode, radix: 8))")
                let listing = try Sandbox.output(["/usr/bin/tar", "-tzf", path])
                #expect(listing.contains("./config.json"), "\(listing)")
            }
            #expect(try sandbox.auditIntact(audit))

            // Again: nothing left to delete or archive; only the backup is redone.
            let again = try sandbox.runbook(["run", "weekly-maintenance", "--yes", "--format", "json"] + exact, audit: audit, extra: extra)
            #expect(again.code == 0, "\(again.stdout)\(again.stderr)")
            let againReport = try Sandbox.report(again)
            let againStatus = Sandbox.statuses(againReport)
            #expect(againStatus["old-logs"] == "green")
            #expect(againStatus["delete-old-logs"] == "skipped")
            // A file finishes every 2 minutes in the history: one may have crossed the 90-day
            // line since the first run, and then it is archived now.
            let crossed = (Self.result(againReport, "archive-candidates")["rows"] as? [[String: Any]])?.first?["files"] as? Int ?? -1
            #expect((0...3).contains(crossed), "\(crossed)")
            #expect(againStatus["archive-old-files"] == (crossed > 0 ? "succeeded" : "skipped"))
            #expect(againStatus["backup-config"] == "succeeded")
            #expect(try sandbox.psql("SELECT count(*) FROM etl_file_archive") == String(moved + crossedLive + crossed))
            #expect(try sandbox.auditIntact(audit))
        }

        // MARK: helpers

        struct FileInfo {
            var name: String
            /// The exact age, in days.
            var age: Double
            /// Whole days, as `find -mtime` counts them.
            var ageDays: Int { Int(age) }
        }

        /// Every regular file under `dir` (recursively), with its age in whole days as
        /// `find -mtime` counts it.
        /// The archive works in batches, one transaction each, with a line of progress per
        /// batch; stopped after max_batches (as an interrupted run would be) it says so, the
        /// check after it is yellow, and the next run resumes and finishes.
        @Test func archivesInBatchesAndResumes() throws {
            try sandbox.reseed("weekly-maintenance")
            let fm = FileManager.default
            let backup = fm.temporaryDirectory.appendingPathComponent("weekly-backup-\(UUID().uuidString)")
            defer { try? fm.removeItem(at: backup) }
            let extra = ["ETL_BACKUP_DIR": backup.path]
            let audit = Sandbox.auditPath()
            let base = ["run", "weekly-maintenance", "--yes", "--approve", "delete-old-logs", "--operator", "oncall", "--format", "json",
                        "--input", "batch_rows=4000", "--input", "count_limit=100000"]

            let first = try sandbox.runbook(base + ["--input", "max_batches=2"], audit: audit, extra: extra)
            #expect(first.code == 0, "\(first.stdout)\(first.stderr)")
            let firstReport = try Sandbox.report(first)
            let candidates = (Self.result(firstReport, "archive-candidates")["rows"] as? [[String: Any]])?.first?["files"] as? Int ?? -1
            #expect(candidates > 8000, "\(candidates)")
            let archive = Self.result(firstReport, "archive-old-files")
            let json = archive["json"] as? [String: Any]
            #expect(json?["rows"] as? Int == 8000 && json?["batches"] as? Int == 2 && json?["finished"] as? Bool == false, "\(archive)")
            let progress = archive["stderr"] as? String ?? ""
            #expect(progress.contains("archive: lote 1: 4000 linhas") && progress.contains("archive: lote 2: 4000 linhas"), "\(progress)")
            #expect(progress.contains("rodar de novo para continuar"), "\(progress)")
            #expect(Sandbox.statuses(firstReport)["archive-left"] == "yellow")
            #expect(try sandbox.psql("SELECT count(*) FROM etl_file_archive") == "8000")

            let second = try sandbox.runbook(base, audit: audit, extra: extra)
            #expect(second.code == 0, "\(second.stdout)\(second.stderr)")
            let secondReport = try Sandbox.report(second)
            let rest = Self.result(secondReport, "archive-old-files")["json"] as? [String: Any]
            #expect(rest?["finished"] as? Bool == true, "\(String(describing: rest))")
            #expect(Sandbox.statuses(secondReport)["archive-left"] == "green")
            let archived = Int(try sandbox.psql("SELECT count(*) FROM etl_file_archive")) ?? -1
            // A file finishes every 2 minutes in the history: one or two may cross the cutoff between the runs.
            #expect(archived >= candidates && archived <= candidates + 3, "archived \(archived) of \(candidates)")
            #expect(8000 + (rest?["rows"] as? Int ?? 0) == archived)
            #expect(try sandbox.auditIntact(audit))
        }

        static func files(under dir: URL) throws -> [String: FileInfo] {
            var out: [String: FileInfo] = [:]
            let now = Date()
            guard let walker = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey, .contentModificationDateKey]) else { return out }
            for case let url as URL in walker {
                let values = try url.resourceValues(forKeys: [.isRegularFileKey, .contentModificationDateKey])
                guard values.isRegularFile == true, let modified = values.contentModificationDate else { continue }
                out[url.path] = FileInfo(name: url.lastPathComponent, age: now.timeIntervalSince(modified) / 86_400)
            }
            return out
        }

        func write(_ url: URL, ageDays: Double) throws {
            try Data("probe\n".utf8).write(to: url)
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-ageDays * 86_400)], ofItemAtPath: url.path)
        }

        /// The rotated logs (`NAME.YYYY-MM-DD.log`, modified at their week's end: the stamp
        /// plus 7 days, as the sandbox dates them) that `find -mtime +30` finds, by name alone.
        static func rotatedOlderThan30Days(_ paths: some Sequence<String>) -> Set<String> {
            let day = DateFormatter()
            day.locale = Locale(identifier: "en_US_POSIX")
            day.timeZone = TimeZone.current
            day.dateFormat = "yyyy-MM-dd"
            let now = Date()
            return Set(paths.filter { path in
                let name = (path as NSString).lastPathComponent
                guard let match = name.range(of: #"\.\d{4}-\d{2}-\d{2}\.log$"#, options: .regularExpression),
                      let stamp = day.date(from: String(name[match].dropFirst().dropLast(4))) else { return false }
                let modified = stamp.addingTimeInterval(7 * 86_400)
                return Int(now.timeIntervalSince(modified) / 86_400) > 30
            })
        }

        static func result(_ report: [String: Any], _ step: String) -> [String: Any] {
            let steps = report["steps"] as? [[String: Any]] ?? []
            return steps.first { $0["id"] as? String == step }?["result"] as? [String: Any] ?? [:]
        }

        static func lines(_ text: String?) -> [String] {
            (text ?? "").split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        }

    }
}

/// The script of `delete-old-logs`, taken from the runbook itself and fed a list by hand:
/// it deletes only listed files that are still under the log folder and still match the
/// check's predicate (`-type f -name '*.log' -mtime +N`). No sandbox needed.
@Suite("weekly-maintenance: delete-old-logs deletes only what was listed and still matches")
struct WeeklyDeleteScriptTests {
    @Test func deletesOnlyListedFilesThatStillMatch() throws {
        let loader = RunbookLoader(home: CLITests.packageRoot)
        let url = try #require(loader.url(forRunbook: "weekly-maintenance"))
        let runbook = try #require(loader.loadRunbook(at: url).runbook)
        let step = try #require(runbook.steps.first { $0.id == "delete-old-logs" })
        guard case .shell(let shell) = step.driver, shell.argv.count > 2, case .text(let script)? = shell.argv[2].value.segments.first else {
            Issue.record("delete-old-logs is not [bash, -c, SCRIPT, ...]")
            return
        }

        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("weekly-delete-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: root) }
        let logs = root.appendingPathComponent("logs")
        try fm.createDirectory(at: logs.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent("other"), withIntermediateDirectories: true)
        func file(_ relative: String, ageDays: Double) throws -> String {
            let u = root.appendingPathComponent(relative)
            try Data("x\n".utf8).write(to: u)
            try fm.setAttributes([.modificationDate: Date().addingTimeInterval(-ageDays * 86_400)], ofItemAtPath: u.path)
            return u.path
        }
        let old = try file("logs/old.log", ageDays: 40)
        let nested = try file("logs/sub/nested.log", ageDays: 40)
        let notListed = try file("logs/not-listed.log", ageDays: 40)
        let rewritten = try file("logs/rewritten.log", ageDays: 1)          // listed, but fresh now
        let notLog = try file("logs/notes.txt", ageDays: 40)                 // listed, but not *.log
        let outside = try file("other/outside.log", ageDays: 40)             // listed, outside the folder
        let list = [old, nested, rewritten, notLog, outside, logs.path + "/../other/outside.log", logs.path + "/gone.log"]

        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", script, "delete-old-logs", logs.path + "/", "30"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        input.fileHandleForWriting.write(Data(list.joined(separator: "\n").utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()

        #expect(p.terminationStatus == 0, "\(text)")
        #expect(!fm.fileExists(atPath: old) && !fm.fileExists(atPath: nested), "\(text)")
        for kept in [notListed, rewritten, notLog, outside] { #expect(fm.fileExists(atPath: kept), "\(kept) deleted: \(text)") }
        #expect(text.contains("deleted=2 skipped=5 failed=0"), "\(text)")
    }
}
