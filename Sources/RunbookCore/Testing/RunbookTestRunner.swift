public import Foundation

/// Runs a runbook's test cases through the real ``Executor`` and ``StepMachine``, with a
/// ``FixtureDriver`` registered for every kind of step and a ``VirtualStepClock``: no database,
/// no API, no process, no wait. Compares each run's verdict with what the case expects.
public struct RunbookTestRunner: Sendable {
    /// The project home: templates, escalation ladder, environments.
    public let home: URL

    /// A runner for the project at `home`.
    public init(home: URL) { self.home = home }

    /// What in `file` names something `runbook` does not have: an unknown step or input, a
    /// fixture of the wrong kind, a `notify:` expectation on a step that is not a notify step.
    public static func validate(_ file: RunbookTestFile, against runbook: Runbook) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let ids = runbook.steps.map(\.id)
        func unknown(_ id: String) -> String { "runbook '\(runbook.id)' has no step '\(id)'\(Suggest.didYouMean(id, in: ids))" }
        var reported = Set<SourceLocation>()
        for c in file.cases {
            for (id, fixture) in c.fixtures where reported.insert(fixture.location).inserted {
                guard let step = runbook.step(id) else {
                    out.append(Diagnostic(fixture.location, "fixture: " + unknown(id)))
                    continue
                }
                for attempt in fixture.attempts {
                    if let kind = attempt.kind, kind != step.driver.kind {
                        out.append(Diagnostic(fixture.location, "fixture of '\(id)' is a \(kind.rawValue) answer (\(Self.keys(of: kind))), but '\(id)' runs \(step.driver.kind.rawValue)"))
                        break
                    }
                }
            }
            for expected in c.expect.steps where runbook.step(expected.id) == nil {
                out.append(Diagnostic(expected.location, "expect: " + unknown(expected.id)))
            }
            for expected in c.expect.notify {
                guard let step = runbook.step(expected.id) else {
                    out.append(Diagnostic(expected.location, "expect: " + unknown(expected.id)))
                    continue
                }
                if step.kind != .notify { out.append(Diagnostic(expected.location, "expect.notify: '\(expected.id)' is a \(step.kind.rawValue), not a notify step")) }
            }
            let inputs = runbook.inputs.map(\.name)
            for input in c.inputs where !inputs.contains(input.name) {
                out.append(Diagnostic(c.location, "case '\(c.name)': runbook '\(runbook.id)' has no input '\(input.name)'\(Suggest.didYouMean(input.name, in: inputs))"))
            }
        }
        return out.sorted { $0.location < $1.location }
    }

    static func keys(of kind: DriverKind) -> String {
        switch kind {
        case .sql: "rows"
        case .http: "status/body/json"
        case .shell: "exit/stdout/stderr"
        case .notify: "notify"
        }
    }

    /// Runs every case of `file` on `runbook` in `environment`, telling `recorder` every
    /// condition decided.
    public func run(_ file: RunbookTestFile, runbook: Runbook, environment: Environment, escalation: Escalation?,
                    recorder: CoverageRecorder) async -> [RunbookTestCaseResult]
    {
        var results: [RunbookTestCaseResult] = []
        for c in file.cases {
            results.append(await run(c, runbook: runbook, environment: environment, escalation: escalation, recorder: recorder))
        }
        return results
    }

    /// Runs one case.
    public func run(_ c: RunbookTestCase, runbook: Runbook, environment: Environment, escalation: Escalation?,
                    recorder: CoverageRecorder) async -> RunbookTestCaseResult
    {
        let clock = ContinuousClock()
        let t0 = clock.now
        var result = RunbookTestCaseResult(name: c.name, location: c.location, failures: [], microseconds: 0, report: nil)
        let inputs: [String: Value]
        do { inputs = try InputResolver.resolve(c.inputs.map { "\($0.name)=\($0.value)" }, for: runbook) } catch {
            result.failures = error.problems.map { "\(c.location): inputs: \($0)" }
            return result
        }
        let actions = Set(runbook.steps.filter { $0.kind == .action }.map(\.id))
        let mode = c.live ? Planner.Mode(dryRun: false, yes: true, approvals: actions) : Planner.Mode(dryRun: true)
        var request = Executor.Request(runbook: runbook, environment: environment, inputs: inputs, mode: mode,
                                       operatorName: "runbook-test", host: "runbook-test", runID: "test-\(c.name)")
        request.escalation = escalation
        let driver = FixtureDriver(fixtures: c.fixtures)
        var drivers = DriverRegistry()
        for kind in DriverKind.allCases { drivers[kind] = driver }
        let executor = Executor(drivers: drivers, audit: DiscardingAuditSink(), renderer: CommandRenderer(environment: environment, home: home),
                                redactor: Redactor(secrets: environment.secrets), clock: VirtualStepClock(), probe: recorder)
        let report = await executor.run(request)
        result.report = report
        result.failures = Self.compare(c, report: report, driver: driver)
        result.microseconds = Int((clock.now - t0).microseconds)
        return result
    }

    /// What differs between the case's expectation and the run.
    static func compare(_ c: RunbookTestCase, report: RunReport, driver: FixtureDriver) -> [String] {
        var failures = driver.problems.map { "\(c.location): step '\($0.step)': \($0.message)" }
        let expect = c.expect
        if let exit = expect.exitCode, exit.value != Int(report.exitCode) {
            failures.append("\(exit.location): exit: expected \(exit.value), got \(report.exitCode)\(report.message.map { " (\($0))" } ?? "")")
        }
        if let status = expect.status, status.value != report.status.rawValue {
            failures.append("\(status.location): status: expected \(status.value), got \(report.status.rawValue)")
        }
        for expected in expect.steps {
            guard let step = report.steps.first(where: { $0.id == expected.id }) else {
                failures.append("\(expected.location): step '\(expected.id)': expected \(expected.status), got not reached (the run stopped before it\(report.message.map { ": \($0)" } ?? ""))")
                continue
            }
            if step.status != expected.status {
                failures.append("\(expected.location): step '\(expected.id)': expected \(expected.status), got \(step.status)\(step.message.map { " (\($0))" } ?? "")")
            }
        }
        for expected in expect.notify {
            let message = driver.messages[expected.id] ?? report.steps.first { $0.id == expected.id }?.result["message"]?.stringValue
            guard let message else {
                failures.append("\(expected.location): notify '\(expected.id)': no message was rendered (the step was \(report.steps.first { $0.id == expected.id }?.status.rawValue ?? "not reached"))")
                continue
            }
            for text in expected.texts where !message.contains(text) {
                failures.append("\(expected.location): notify '\(expected.id)': the message does not contain '\(text)'; it reads:\n\(message.split(separator: "\n").map { "        | " + $0 }.joined(separator: "\n"))")
            }
        }
        return failures
    }
}

extension Duration {
    /// Whole microseconds.
    var microseconds: Int64 {
        let (s, atto) = components
        return s * 1_000_000 + atto / 1_000_000_000_000
    }
}
