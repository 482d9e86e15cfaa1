import Foundation
import Testing

/// `runbook schedule` and scheduled runs, through the binary: systemd units that
/// `systemd-analyze verify` accepts, CronJobs that validate against the Kubernetes schema
/// (kubernetes-validate from PyPI, installed by scripts/test), and the weekday check a cron
/// schedule needs. Days are derived from the clock when the test runs, never fixed.
extension CLITests {
    /// A project whose runbook `demo` has `schedule`, and an environment `prod`.
    func scheduledProject(_ calendar: String, timezone: String = "UTC") {
        write("runbooks/weekly.yaml", """
            runbook: weekly
            title: Weekly
            schedule: {calendar: "\(calendar)", timezone: \(timezone)}
            steps:
              - check: ok
                shell: [echo, ok]
              - action: tidy
                risk: medium
                confirm: "Tidy?"
                shell: [touch, TIDIED]
            """)
        write("environments/prod.yaml", "environment: prod\n")
    }

    /// Runs an external tool; its exit status and output.
    func tool(_ path: String, _ args: [String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = args
        process.currentDirectoryURL = home
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return collect(process)
    }

    @Test func systemdUnitsVerify() throws {
        scheduledProject("Sun *-*-01..07 04:00", timezone: "America/Sao_Paulo")
        let units = home.appendingPathComponent("units").path
        let out = try runbook(["schedule", "export", "--env", "prod", "--systemd", units, "--binary", CLITests.binary, "--project", home.path])
        #expect(out.code == 0, "\(out.stderr)")
        let timer = try String(contentsOfFile: "\(units)/runbook-prod-weekly.timer", encoding: .utf8)
        #expect(timer.contains("OnCalendar=Sun *-*-01..07 04:00:00 America/Sao_Paulo\n"))
        #expect(timer.contains("Persistent=true\n"))
        let service = try String(contentsOfFile: "\(units)/runbook-prod-weekly.service", encoding: .utf8)
        #expect(service.contains("ExecStart=\(CLITests.binary) run weekly --env prod --scheduled\n"))
        let verify = try tool("/usr/bin/systemd-analyze", ["verify", "--man=no", "\(units)/runbook-prod-weekly.timer", "\(units)/runbook-prod-weekly.service"])
        #expect(verify.code == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stderr.isEmpty, "systemd-analyze verify complained: \(verify.stderr)")
        // A unit systemd rejects, to show the check can fail: a timer with a bad calendar.
        try timer.replacingOccurrences(of: "04:00:00", with: "25:00:00").write(toFile: "\(units)/bad.timer", atomically: true, encoding: .utf8)
        let bad = try tool("/usr/bin/systemd-analyze", ["verify", "--man=no", "\(units)/bad.timer"])
        #expect(bad.code != 0 || !bad.stderr.isEmpty, "a bad calendar passed systemd-analyze verify")
    }

    @Test func cronJobsValidateAgainstTheKubernetesSchema() throws {
        scheduledProject("Sun *-*-01..07 04:00", timezone: "America/Sao_Paulo")
        let file = home.appendingPathComponent("cronjobs.yaml").path
        let out = try runbook(["schedule", "export", "--env", "prod", "--kubernetes", file, "--image", "registry.example/runbook:1.4", "--namespace", "etl"])
        #expect(out.code == 0, "\(out.stderr)")
        #expect(out.stdout.contains("CronJob runbook-prod-weekly: 0 4 1-7 * * America/Sao_Paulo (the run checks the weekday)"), "\(out.stdout)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains("concurrencyPolicy: Forbid"))
        #expect(text.contains(#"args: ["run", "weekly", "--env", "prod", "--scheduled", "--scheduled-day-only"]"#))
        let validator = try #require(Self.which("kubernetes-validate"), "kubernetes-validate is not installed (scripts/test installs it from PyPI)")
        let valid = try tool(validator, ["--strict", "-k", "1.31.0", file])
        #expect(valid.code == 0, "\(valid.stdout)\(valid.stderr)")
        // The validator can fail: a CronJob with a field Kubernetes does not know.
        let broken = home.appendingPathComponent("broken.yaml").path
        try text.replacingOccurrences(of: "concurrencyPolicy: Forbid", with: "concurrencyPolicy: Forbid\n  concurrency: 1").write(toFile: broken, atomically: true, encoding: .utf8)
        #expect(try tool(validator, ["--strict", "-k", "1.31.0", broken]).code != 0)
    }

    @Test func incidentRemindersGetATimerAndACronJobWhereThereIsALedger() throws {
        scheduledProject("Mon *-*-* 06:00")
        // Without a ledger there are no incidents to remind of: nothing for them.
        let plain = home.appendingPathComponent("plain").path
        var out = try runbook(["schedule", "export", "--env", "prod", "--systemd", plain, "--binary", CLITests.binary, "--project", home.path])
        #expect(out.code == 0, "\(out.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(plain)/runbook-prod-incident-remind.timer"))
        // With one (its URL's variable need not be set where the export runs).
        write("environments/prod.yaml", "environment: prod\nledger: {url: \"${RUNBOOK_LEDGER_URL}\"}\nsecrets: [RUNBOOK_LEDGER_URL]\n")
        let units = home.appendingPathComponent("units").path
        out = try runbook(["schedule", "export", "--env", "prod", "--systemd", units, "--binary", CLITests.binary, "--project", home.path])
        #expect(out.code == 0, "\(out.stderr)")
        #expect(out.stdout.contains("runbook-prod-incident-remind.timer: OnCalendar=*:0/5 (runbook incident remind)"), "\(out.stdout)")
        let timer = try String(contentsOfFile: "\(units)/runbook-prod-incident-remind.timer", encoding: .utf8)
        #expect(timer.contains("OnCalendar=*:0/5\n"))
        let service = try String(contentsOfFile: "\(units)/runbook-prod-incident-remind.service", encoding: .utf8)
        #expect(service.contains("ExecStart=\(CLITests.binary) incident remind --env prod\n"))
        let verify = try tool("/usr/bin/systemd-analyze", ["verify", "--man=no", "\(units)/runbook-prod-incident-remind.timer",
                                                           "\(units)/runbook-prod-incident-remind.service"])
        #expect(verify.code == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stderr.isEmpty, "systemd-analyze verify complained: \(verify.stderr)")
        // systemd's own reading of the calendar: every five minutes.
        let calendar = try tool("/usr/bin/systemd-analyze", ["calendar", "--iterations=3", "--base-time=2027-03-01 10:02:00 UTC", "*:0/5 UTC"])
        #expect(calendar.stdout.contains("2027-03-01 10:05:00 UTC") && calendar.stdout.contains("2027-03-01 10:15:00 UTC"), "\(calendar.stdout)")

        let file = home.appendingPathComponent("cronjobs.yaml").path
        out = try runbook(["schedule", "export", "--env", "prod", "--kubernetes", file, "--image", "registry.example/runbook:1.4"])
        #expect(out.code == 0, "\(out.stderr)")
        #expect(out.stdout.contains("CronJob runbook-prod-incident-remind: */5 * * * * (runbook incident remind)"), "\(out.stdout)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains(#"args: ["incident", "remind", "--env", "prod"]"#))
        let validator = try #require(Self.which("kubernetes-validate"), "kubernetes-validate is not installed (scripts/test installs it from PyPI)")
        let valid = try tool(validator, ["--strict", "-k", "1.31.0", file])
        #expect(valid.code == 0, "\(valid.stdout)\(valid.stderr)")
    }

    @Test func exportRefusesBadInputAndWritesNothing() throws {
        scheduledProject("Mon *-*-* 06:00")
        let units = home.appendingPathComponent("units").path
        var out = try runbook(["schedule", "export", "--env", "nowhere", "--systemd", units])
        #expect(out.code == 2)
        #expect(out.stderr.contains("no environment 'nowhere'"), "\(out.stderr)")
        out = try runbook(["schedule", "export", "--env", "prod", "--systemd", units, "--binary", "/usr/bin/run book"])
        #expect(out.code == 2)
        out = try runbook(["schedule", "export", "--env", "prod", "--kubernetes", "x.yaml", "--image", "img\"; rm -rf /"])
        #expect(out.code == 2)
        out = try runbook(["schedule", "export", "--env", "prod"])
        #expect(out.code == 2)
        #expect(out.stderr.contains("give one of --systemd DIR or --kubernetes FILE"), "\(out.stderr)")
        #expect(!FileManager.default.fileExists(atPath: units))
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("x.yaml").path))
    }

    /// ISO weekday names of today and tomorrow in UTC: a day check made around midnight still
    /// sees one of them.
    static func todayAndTomorrow() -> [String] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let today = calendar.component(.weekday, from: Date()) - 1
        return [names[today], names[(today + 1) % 7]]
    }

    @Test func scheduledDayOnlySkipsOtherDaysAndRunsOnItsOwn() throws {
        let near = Self.todayAndTomorrow()
        let others = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].filter { !near.contains($0) }
        // Weekdays and every day of the month: exported to cron as every day, checked by the run.
        scheduledProject("\(others.joined(separator: ",")) *-*-1..31 06:00")
        var out = try runbook(["run", "weekly", "--env", "prod", "--scheduled", "--scheduled-day-only"])
        #expect(out.code == 0, "\(out.stderr)")
        #expect(out.stdout.contains("weekly: not run: today is not a day of its schedule"), "\(out.stdout)")
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("TIDIED").path))
        #expect(!((try? String(contentsOfFile: audit, encoding: .utf8)) ?? "").contains("run.started"), "a skipped day starts no run")

        scheduledProject("\(near.joined(separator: ",")) *-*-* 06:00")
        out = try runbook(["run", "weekly", "--env", "prod", "--scheduled", "--scheduled-day-only"])
        #expect(out.code == 0, "\(out.stdout)\(out.stderr)")
        #expect(FileManager.default.fileExists(atPath: home.appendingPathComponent("TIDIED").path), "--scheduled passes a medium gate")

        // Not a scheduled run, or a runbook without a schedule: a usage error.
        out = try runbook(["run", "demo", "--scheduled", "--scheduled-day-only"])
        #expect(out.code == 2)
        #expect(out.stderr.contains("--scheduled-day-only is for scheduled runs"), "\(out.stderr)")
    }

    @Test func scheduledRunsStopAtHighRiskGates() throws {
        write("runbooks/risky.yaml", """
            runbook: risky
            title: Risky
            schedule: {calendar: "*-*-* 04:00"}
            steps:
              - action: drop
                risk: high
                confirm: "Drop?"
                shell: [touch, DROPPED]
            """)
        let out = try runbook(["run", "risky", "--scheduled"])
        #expect(out.code == 3, "\(out.stdout)\(out.stderr)")
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("DROPPED").path))
    }

    @Test func scheduleListShowsCalendarsAndCron() throws {
        scheduledProject("Sun *-*-01..07 04:00", timezone: "America/Sao_Paulo")
        let out = try runbook(["schedule", "list"])
        #expect(out.code == 0, "\(out.stderr)")
        #expect(out.stdout.contains("weekly"))
        #expect(out.stdout.contains("Sun *-*-01..07 04:00:00"))
        #expect(out.stdout.contains("0 4 1-7 * * (+ weekday check)"))
        // The next run is a first Sunday at 04:00.
        let next = try #require(out.stdout.split(separator: "\n").first { $0.hasPrefix("weekly") })
        #expect(next.contains("Sun 20") && next.contains(" 04:00"), "\(next)")
    }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

extension CLITests {
    /// An environment with a ledger and an API gets `runbook probe` every minute, so that
    /// sla-report measures availability; a down minute (exit 1) does not fail the unit.
    @Test func availabilityProbesGetATimerAndACronJob() throws {
        scheduledProject("Mon *-*-* 06:00")
        write("environments/prod.yaml", """
            environment: prod
            api: {url: "https://etl.example"}
            ledger: {url: "${RUNBOOK_LEDGER_URL}"}
            secrets: [RUNBOOK_LEDGER_URL]
            """)
        let units = home.appendingPathComponent("units").path
        var out = try runbook(["schedule", "export", "--env", "prod", "--systemd", units, "--binary", CLITests.binary, "--project", home.path])
        #expect(out.code == 0, "\(out.stderr)")
        #expect(out.stdout.contains("runbook-prod-probe.timer: OnCalendar=*:*:00 (runbook probe)"), "\(out.stdout)")
        let service = try String(contentsOfFile: "\(units)/runbook-prod-probe.service", encoding: .utf8)
        #expect(service.contains("ExecStart=\(CLITests.binary) probe --env prod\n"))
        #expect(service.contains("SuccessExitStatus=1\n"))
        let verify = try tool("/usr/bin/systemd-analyze", ["verify", "--man=no", "\(units)/runbook-prod-probe.timer", "\(units)/runbook-prod-probe.service"])
        #expect(verify.code == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stderr.isEmpty, "systemd-analyze verify complained: \(verify.stderr)")
        let calendar = try tool("/usr/bin/systemd-analyze", ["calendar", "--iterations=2", "--base-time=2027-03-01 10:02:30 UTC", "*:*:00 UTC"])
        #expect(calendar.stdout.contains("2027-03-01 10:03:00 UTC") && calendar.stdout.contains("2027-03-01 10:04:00 UTC"), "\(calendar.stdout)")

        let file = home.appendingPathComponent("cronjobs.yaml").path
        out = try runbook(["schedule", "export", "--env", "prod", "--kubernetes", file, "--image", "registry.example/runbook:1.4"])
        #expect(out.code == 0, "\(out.stderr)")
        #expect(out.stdout.contains("CronJob runbook-prod-probe: * * * * * (runbook probe)"), "\(out.stdout)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains(#"args: ["probe", "--env", "prod"]"#))
        let validator = try #require(Self.which("kubernetes-validate"), "kubernetes-validate is not installed (scripts/test installs it from PyPI)")
        let valid = try tool(validator, ["--strict", "-k", "1.31.0", file])
        #expect(valid.code == 0, "\(valid.stdout)\(valid.stderr)")
    }
}
