import ArgumentParser
import Foundation
import RunbookCore

/// `runbook schedule list|export`: a runbook's `schedule:` as systemd timers or Kubernetes
/// CronJobs. The scheduler is theirs; what runs is `runbook run ID --env NAME --scheduled`.
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "The runbooks' schedules, and their export as systemd timers or Kubernetes CronJobs.",
        subcommands: [ListSchedules.self, Export.self],
        defaultSubcommand: ListSchedules.self)

    /// Every valid runbook with a `schedule:`, by id; invalid runbooks stop the command (exit 2).
    static func scheduledRunbooks(_ loader: RunbookLoader) throws -> [(Runbook, Schedule)] {
        var out: [(Runbook, Schedule)] = []
        var failed = false
        for (_, path) in loader.runbookFiles() {
            let (runbook, diagnostics) = loader.loadRunbook(at: URL(fileURLWithPath: path))
            if let runbook {
                if let schedule = runbook.schedule { out.append((runbook, schedule)) }
            } else {
                for d in diagnostics where d.severity == .error { printError(d.description) }
                failed = true
            }
        }
        if failed { throw CommandFailure(.usage) }
        return out
    }

    struct ListSchedules: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the scheduled runbooks, their calendars and next run.")
        @OptionGroup var home: HomeOptions

        func run() throws {
            let scheduled = try ScheduleCommand.scheduledRunbooks(home.loader)
            if scheduled.isEmpty {
                print("No runbook has a schedule: (add schedule: {calendar: ..., timezone: ...} to one)")
                return
            }
            var rows = [["RUNBOOK", "CALENDAR", "TIME ZONE", "NEXT RUN", "CRON"]]
            let now = Date()
            for (runbook, schedule) in scheduled {
                let next = schedule.next(after: now).map { Self.local($0, schedule.timeZone) } ?? "-"
                rows.append([runbook.id, schedule.calendar.systemd, schedule.timezone, next,
                           schedule.calendar.cron + (schedule.calendar.needsWeekdayGuard ? " (+ weekday check)" : "")])
            }
            print(TextTable.render(rows), terminator: "")
        }

        static func local(_ date: Date, _ zone: TimeZone) -> String {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
            let weekday = ScheduleCalendar.weekdayName(gregorian: c.weekday ?? 1)
            return "\(weekday) \(c.year!)-\(ScheduleCalendar.two(c.month!))-\(ScheduleCalendar.two(c.day!)) \(ScheduleCalendar.two(c.hour!)):\(ScheduleCalendar.two(c.minute!))"
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write systemd units (--systemd DIR) or Kubernetes CronJobs (--kubernetes FILE) for every scheduled runbook.",
            discussion: """
                Each runs `runbook run ID --env NAME --scheduled`: low and medium risk gates pass, high risk ones stop \
                the run at the gate (exit 3) for a person. systemd: a oneshot .service and a .timer (Persistent=true) \
                per runbook, secrets from --environment-file. Kubernetes: one CronJob per runbook \
                (concurrencyPolicy Forbid, timeZone), the image's runbook binary, secrets from a Secret. Cron ORs \
                a day of the month with a weekday, so a calendar naming both (the first Sunday) is scheduled on \
                its days of the month and the run checks the weekday itself (--scheduled-day-only). An environment \
                with a ledger also gets runbook-ENV-incident-remind: `runbook incident remind --env NAME` every 5 \
                minutes (the 30-minute updates and the post-mortem reminder, each posted once).
                """)
        @OptionGroup var home: HomeOptions

        @Option(name: .customLong("env"), help: "The environment the runs use (environments/NAME.yaml).")
        var environment: String

        @Option(name: .customLong("systemd"), help: "Write runbook-ENV-ID.service and .timer files into this folder.")
        var systemdDirectory: String?

        @Option(name: .customLong("kubernetes"), help: "Write the CronJobs to this file (one YAML document each; - for standard output).")
        var kubernetesFile: String?

        @Option(name: .customLong("binary"), help: "systemd: the runbook binary.")
        var binary = "/usr/local/bin/runbook"

        @Option(name: .customLong("project"), help: "systemd: the project folder the units run in (RUNBOOK_HOME).")
        var project = "/opt/runbook"

        @Option(name: .customLong("user"), help: "systemd: the user the runs run as.")
        var user = "runbook"

        @Option(name: .customLong("environment-file"), help: "systemd: the file of the environment's secrets (default: /etc/runbook/ENV.env).")
        var environmentFile: String?

        @Option(name: .customLong("image"), help: "Kubernetes: the runbook image (the Dockerfile's).")
        var image = "runbook:latest"

        @Option(name: .customLong("secret"), help: "Kubernetes: the Secret whose keys become the runs' environment variables.")
        var secret = "runbook-secrets"

        @Option(name: .customLong("namespace"), help: "Kubernetes: the namespace (default: the one kubectl applies to).")
        var namespace: String?

        func validate() throws {
            guard (systemdDirectory == nil) != (kubernetesFile == nil) else {
                throw ValidationError("give one of --systemd DIR or --kubernetes FILE")
            }
            guard ScheduleExport.isName(environment) else {
                throw ValidationError("--env '\(environment)': an environment name is letters, digits and '-'")
            }
            for (flag, value) in [("--secret", secret)] + (namespace.map { [("--namespace", $0)] } ?? []) where !ScheduleExport.isName(value) {
                throw ValidationError("\(flag) '\(value)': a Kubernetes name is lower-case letters, digits and '-'")
            }
            for (flag, value) in [("--binary", binary), ("--project", project)] + (environmentFile.map { [("--environment-file", $0)] } ?? [])
            where !ScheduleExport.isUnitPath(value) {
                throw ValidationError("\(flag) '\(value)': an absolute path without spaces, quotes or '%'")
            }
            guard ScheduleExport.isUser(user) else {
                throw ValidationError("--user '\(user)': a user name is letters, digits, '-' and '_'")
            }
            guard ScheduleExport.isImage(image) else {
                throw ValidationError("--image '\(image)': an image reference has no spaces or quotes")
            }
        }

        func run() throws {
            let loader = home.loader
            let environmentPath = home.home.appendingPathComponent("environments/\(environment).yaml").path
            guard FileManager.default.fileExists(atPath: environmentPath) else {
                throw CommandFailure(.usage, "error: no environment '\(environment)' (\(loader.relativePath(URL(fileURLWithPath: environmentPath))) does not exist)")
            }
            // An environment with a ledger keeps incidents: their cadence (`incident remind`)
            // gets a timer or CronJob of its own. Its secrets need not be set where this runs.
            let environmentValues: Environment
            do {
                environmentValues = try Environment.load(name: environment, home: home.home, processEnvironment: ProcessInfo.processInfo.environment)
            } catch {
                throw CommandFailure(diagnostics: error.diagnostics)
            }
            let remind = environmentValues.values["ledger"] != nil
            // With an API as well, availability is measured: `runbook probe` every minute.
            let probe = remind && environmentValues.values["api"] != nil
            let scheduled = try ScheduleCommand.scheduledRunbooks(loader)
            let export = ScheduleExport(environment: environment, binary: binary, project: project, user: user,
                                        environmentFile: environmentFile ?? "/etc/runbook/\(environment).env",
                                        image: image, secret: secret, namespace: namespace)
            for (runbook, _) in scheduled where export.unitName(runbook.id).count > ScheduleExport.maxCronJobName {
                throw CommandFailure(.usage, "error: \(runbook.path): the name \(export.unitName(runbook.id)) is longer than the \(ScheduleExport.maxCronJobName) characters Kubernetes allows a CronJob: shorten the runbook id or the environment name")
            }
            if probe, export.probeName.count > ScheduleExport.maxCronJobName {
                throw CommandFailure(.usage, "error: the name \(export.probeName) is longer than the \(ScheduleExport.maxCronJobName) characters Kubernetes allows a CronJob: shorten the environment name")
            }
            if remind, export.remindName.count > ScheduleExport.maxCronJobName {
                throw CommandFailure(.usage, "error: the name \(export.remindName) is longer than the \(ScheduleExport.maxCronJobName) characters Kubernetes allows a CronJob: shorten the environment name")
            }
            if let directory = systemdDirectory {
                do {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                    for (runbook, schedule) in scheduled {
                        let name = export.unitName(runbook.id)
                        try export.service(runbook, schedule).write(toFile: "\(directory)/\(name).service", atomically: true, encoding: .utf8)
                        try export.timer(runbook, schedule).write(toFile: "\(directory)/\(name).timer", atomically: true, encoding: .utf8)
                        print("\(directory)/\(name).timer: OnCalendar=\(schedule.calendar.systemd) \(schedule.timezone)")
                    }
                    if remind {
                        try export.remindService().write(toFile: "\(directory)/\(export.remindName).service", atomically: true, encoding: .utf8)
                        try export.remindTimer().write(toFile: "\(directory)/\(export.remindName).timer", atomically: true, encoding: .utf8)
                        print("\(directory)/\(export.remindName).timer: OnCalendar=\(ScheduleExport.remindCalendar) (runbook incident remind)")
                    }
                    if probe {
                        try export.probeService().write(toFile: "\(directory)/\(export.probeName).service", atomically: true, encoding: .utf8)
                        try export.probeTimer().write(toFile: "\(directory)/\(export.probeName).timer", atomically: true, encoding: .utf8)
                        print("\(directory)/\(export.probeName).timer: OnCalendar=\(ScheduleExport.probeCalendar) (runbook probe)")
                    }
                } catch {
                    throw CommandFailure(.usage, "error: cannot write the units into \(directory): \(error.localizedDescription)")
                }
            } else if let file = kubernetesFile {
                let text = (scheduled.map { export.cronJob($0.0, $0.1) } + (remind ? [export.remindCronJob()] : [])
                            + (probe ? [export.probeCronJob()] : [])).joined(separator: "---\n")
                if file == "-" {
                    print(text, terminator: "")
                } else {
                    do { try text.write(toFile: file, atomically: true, encoding: .utf8) } catch {
                        throw CommandFailure(.usage, "error: cannot write \(file): \(error.localizedDescription)")
                    }
                    for (runbook, schedule) in scheduled {
                        print("\(file): CronJob \(export.unitName(runbook.id)): \(schedule.calendar.cron) \(schedule.timezone)"
                              + (schedule.calendar.needsWeekdayGuard ? " (the run checks the weekday)" : ""))
                    }
                    if remind { print("\(file): CronJob \(export.remindName): \(ScheduleExport.remindCron) (runbook incident remind)") }
                    if probe { print("\(file): CronJob \(export.probeName): \(ScheduleExport.probeCron) (runbook probe)") }
                }
            }
            if scheduled.isEmpty { printError("warning: no runbook has a schedule" + (remind ? ": only the incident reminders written" : ": nothing written")) }
        }
    }
}
