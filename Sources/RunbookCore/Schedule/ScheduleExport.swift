/// The files `runbook schedule export` writes: systemd units and Kubernetes CronJobs that run
/// `runbook run ID --env NAME --scheduled` on a runbook's ``Schedule``. Every value is one
/// the command validated (ids, names, absolute paths) or is quoted (YAML strings as JSON).
public struct ScheduleExport: Sendable {
    /// The environment the runs use.
    public var environment: String
    /// systemd: the binary, the project folder (RUNBOOK_HOME), the user, the secrets file.
    public var binary: String
    public var project: String
    public var user: String
    public var environmentFile: String
    /// Kubernetes: the image, the Secret of environment variables, the namespace (nil: kubectl's).
    public var image: String
    public var secret: String
    public var namespace: String?

    /// Kubernetes limits a CronJob's name to 52 characters (its Jobs add 11).
    public static let maxCronJobName = 52

    /// An export with its settings.
    public init(environment: String, binary: String, project: String, user: String, environmentFile: String,
                image: String, secret: String, namespace: String?)
    {
        self.environment = environment
        self.binary = binary
        self.project = project
        self.user = user
        self.environmentFile = environmentFile
        self.image = image
        self.secret = secret
        self.namespace = namespace
    }

    /// Whether `name` is a DNS label as Kubernetes and unit names want it: lower-case letters,
    /// digits and '-', not starting or ending with '-', at most 63 characters.
    public static func isName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 63 && name.first != "-" && name.last != "-"
            && name.allSatisfy { ($0.isASCII && $0.isLowercase && $0.isLetter) || ($0.isASCII && $0.isNumber) || $0 == "-" }
    }

    /// Whether `path` can be written into a unit as is: absolute, without spaces, quotes,
    /// backslashes or '%' (a systemd specifier).
    public static func isUnitPath(_ path: String) -> Bool {
        path.hasPrefix("/") && !path.contains(where: { $0.isWhitespace || $0 == "%" || $0 == "\"" || $0 == "\\" })
    }

    /// Whether `image` is an image reference without spaces or quotes.
    public static func isImage(_ image: String) -> Bool { !image.isEmpty && !image.contains(where: { $0.isWhitespace || $0 == "\"" }) }

    /// Whether `user` is a user name: letters, digits, '-' and '_'.
    public static func isUser(_ user: String) -> Bool { !user.isEmpty && user.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) }

    /// `runbook-ENV-ID`: the unit and CronJob name.
    public func unitName(_ runbookID: String) -> String { "runbook-\(environment)-\(runbookID)" }

    /// The command line a scheduled run runs (after the binary). `cron`: for a cron schedule,
    /// which cannot require a weekday and a day of the month both: the run checks the day
    /// itself. (A systemd timer can, and a run it catches up after downtime must not be
    /// skipped for falling on another day.)
    public func arguments(_ runbook: Runbook, _ schedule: Schedule, cron: Bool) -> [String] {
        ["run", runbook.id, "--env", environment, "--scheduled"] + (cron && schedule.calendar.needsWeekdayGuard ? ["--scheduled-day-only"] : [])
    }

    /// The oneshot service of `runbook`.
    public func service(_ runbook: Runbook, _ schedule: Schedule) -> String {
        serviceUnit(name: unitName(runbook.id), source: "from runbooks/\(runbook.id).yaml; export again after changing it",
                    description: "runbook \(runbook.id) on \(environment) (scheduled)",
                    arguments: arguments(runbook, schedule, cron: false), timeout: "6h",
                    exits: """
                        # Exit 1: a check red or an action failed; 3: stopped at a high-risk gate for a person;
                        # 4: a step could not run. All leave the unit failed, for `systemctl --failed` and OnFailure=.
                        """)
    }

    /// The timer of `runbook`: its calendar in its time zone, caught up after downtime.
    public func timer(_ runbook: Runbook, _ schedule: Schedule) -> String {
        timerUnit(name: unitName(runbook.id), source: "from runbooks/\(runbook.id).yaml",
                  description: "Schedule of runbook \(runbook.id) on \(environment)",
                  onCalendar: "\(schedule.calendar.systemd) \(schedule.timezone)", persistent: true)
    }

    /// The CronJob of `runbook` (one YAML document).
    public func cronJob(_ runbook: Runbook, _ schedule: Schedule) -> String {
        let guardNote = schedule.calendar.needsWeekdayGuard
            ? "\n# Cron runs on a day of the month OR a weekday: this one runs on \(schedule.calendar.cron.split(separator: " ")[2]) and\n# --scheduled-day-only skips the days that are not \(schedule.calendar.systemd.split(separator: " ")[0]).\n"
            : "\n"
        return cronJobDocument(name: unitName(runbook.id),
                               header: "from runbooks/\(runbook.id).yaml.\n# Calendar: \(schedule.calendar.systemd) \(schedule.timezone)\(guardNote)",
                               component: "schedule", labelID: runbook.id, cron: schedule.calendar.cron, timeZone: schedule.timezone,
                               startingDeadline: 3600, activeDeadline: 21600, arguments: arguments(runbook, schedule, cron: true))
    }

    // MARK: The incidents' cadence

    /// `runbook-ENV-incident-remind`: the unit and CronJob that run `runbook incident remind`.
    public var remindName: String { "runbook-\(environment)-incident-remind" }
    /// Every five minutes: a reminder is due 30 minutes after an incident's last update, the
    /// post-mortem's 24 hours after its resolution; each is posted once whatever runs twice.
    public static let remindCalendar = "*:0/5"
    /// ``remindCalendar`` as cron.
    public static let remindCron = "*/5 * * * *"
    /// What the reminder runs (after the binary).
    public var remindArguments: [String] { ["incident", "remind", "--env", environment] }

    /// The oneshot service that posts the reminders due.
    public func remindService() -> String {
        serviceUnit(name: remindName, source: "for environment \(environment)'s incidents",
                    description: "runbook incident reminders on \(environment)", arguments: remindArguments, timeout: "10min",
                    exits: "# Exit 2: the environment or its ledger is misconfigured; 4: the ledger cannot be reached.")
    }

    /// Its timer: every five minutes, not caught up (a reminder missed while the machine was
    /// off is posted by the next run anyway).
    public func remindTimer() -> String {
        timerUnit(name: remindName, source: "for environment \(environment)'s incidents",
                  description: "Incident reminders on \(environment) every 5 minutes", onCalendar: Self.remindCalendar, persistent: false)
    }

    /// Its CronJob (one YAML document).
    public func remindCronJob() -> String {
        cronJobDocument(name: remindName, header: "for environment \(environment)'s incidents: `runbook incident remind` every 5 minutes.\n",
                        component: "incident-remind", labelID: "incident-remind", cron: Self.remindCron, timeZone: "Etc/UTC",
                        startingDeadline: 240, activeDeadline: 600, arguments: remindArguments)
    }

    // MARK: Availability probes

    /// `runbook-ENV-probe`: the unit and CronJob that run `runbook probe` every minute.
    public var probeName: String { "runbook-\(environment)-probe" }
    /// Every minute: a minute without a probe is unknown in `sla-report`'s availability.
    public static let probeCalendar = "*:*:00"
    /// ``probeCalendar`` as cron.
    public static let probeCron = "* * * * *"
    /// What the probe runs (after the binary).
    public var probeArguments: [String] { ["probe", "--env", environment] }

    /// The oneshot service that probes /health once and records it in the ledger. Exit 1
    /// (etl-core down, recorded) is a success for systemd: the outage is in the ledger.
    public func probeService() -> String {
        serviceUnit(name: probeName, source: "for environment \(environment)'s availability",
                    description: "runbook probe of etl-core's /health on \(environment)", arguments: probeArguments, timeout: "50s",
                    exits: """
                        # Exit 1: etl-core did not answer ok, and that minute is recorded as down: not a failure of
                        # this unit. 2: the environment is misconfigured; 4: the ledger cannot be reached.
                        SuccessExitStatus=1
                        """)
    }

    /// Its timer: every minute, not caught up (a minute missed is unknown, and stays so).
    public func probeTimer() -> String {
        timerUnit(name: probeName, source: "for environment \(environment)'s availability",
                  description: "Probe of etl-core's /health on \(environment) every minute", onCalendar: Self.probeCalendar, persistent: false)
    }

    /// Its CronJob (one YAML document).
    public func probeCronJob() -> String {
        cronJobDocument(name: probeName, header: "for environment \(environment)'s availability: `runbook probe` every minute.\n",
                        component: "probe", labelID: "probe", cron: Self.probeCron, timeZone: "Etc/UTC",
                        startingDeadline: 30, activeDeadline: 50, arguments: probeArguments)
    }

    // MARK: Shapes

    private func serviceUnit(name: String, source: String, description: String, arguments: [String], timeout: String, exits: String) -> String {
        """
        # \(name).service: written by `runbook schedule export` \(source).
        [Unit]
        Description=\(description)
        Documentation=man:systemd.timer(5)
        Wants=network-online.target
        After=network-online.target

        [Service]
        Type=oneshot
        User=\(user)
        WorkingDirectory=\(project)
        Environment=RUNBOOK_HOME=\(project)
        # The audit log outlives the run in /var/lib/runbook (StateDirectory, owned by \(user)).
        StateDirectory=runbook
        Environment=RUNBOOK_AUDIT_LOG=/var/lib/runbook/audit.jsonl
        # The environment's secrets (database URL, API token, ledger URL...), one NAME=value a line.
        EnvironmentFile=\(environmentFile)
        ExecStart=\(binary) \(arguments.joined(separator: " "))
        \(exits)
        TimeoutStartSec=\(timeout)

        """
    }

    private func timerUnit(name: String, source: String, description: String, onCalendar: String, persistent: Bool) -> String {
        """
        # \(name).timer: written by `runbook schedule export` \(source).
        [Unit]
        Description=\(description)

        [Timer]
        OnCalendar=\(onCalendar)
        \(persistent ? "# A run missed while the machine was off runs at the next boot.\nPersistent=true" : "Persistent=false")
        Unit=\(name).service

        [Install]
        WantedBy=timers.target

        """
    }

    private func cronJobDocument(name: String, header: String, component: String, labelID: String, cron: String, timeZone: String,
                                 startingDeadline: Int, activeDeadline: Int, arguments: [String]) -> String
    {
        func q(_ s: String) -> String { JSON.encode(.string(s)) }
        let labels = "{app.kubernetes.io/name: runbook, app.kubernetes.io/component: \(component), runbook/id: \(q(labelID)), runbook/environment: \(q(environment))}"
        return """
            # \(name): written by `runbook schedule export` \(header)\
            apiVersion: batch/v1
            kind: CronJob
            metadata:
              name: \(q(name))\(namespace.map { "\n  namespace: \(q($0))" } ?? "")
              labels: \(labels)
            spec:
              schedule: \(q(cron))
              timeZone: \(q(timeZone))
              concurrencyPolicy: Forbid
              startingDeadlineSeconds: \(startingDeadline)
              successfulJobsHistoryLimit: 3
              failedJobsHistoryLimit: 5
              jobTemplate:
                spec:
                  backoffLimit: 0
                  activeDeadlineSeconds: \(activeDeadline)
                  template:
                    metadata:
                      labels: \(labels)
                    spec:
                      restartPolicy: Never
                      securityContext:
                        runAsNonRoot: true
                        runAsUser: 10001
                        runAsGroup: 10001
                      containers:
                        - name: runbook
                          image: \(q(image))
                          args: [\(arguments.map(q).joined(separator: ", "))]
                          envFrom:
                            - secretRef:
                                name: \(q(secret))
                          securityContext:
                            allowPrivilegeEscalation: false
                            capabilities:
                              drop: ["ALL"]

            """
    }
}
