import Testing
@testable import RunbookCore

/// The step machine without processes, clocks or files: events in, actions out, for every
/// state a step can be in.
@Suite("Step machine")
struct StepMachineTests {
    static let live = Planner.Mode(dryRun: false)
    static let dry = Planner.Mode(dryRun: true)
    static let rendering = StepMachine.Rendering(display: "touch X", wouldDo: "would run touch X", audit: .object([("driver", "shell")]))

    /// A compact name for each action, to compare sequences.
    static func names(_ actions: [StepMachine.Action]) -> [String] {
        actions.map { action in
            switch action {
            case .evaluateWhen: "when"
            case .render: "render"
            case .ask(let risk): "ask(\(risk.rawValue))"
            case .requestApproval(let n): "approval(\(n))"
            case .audit(let event, let sync): event.name + (sync ? "!" : "")
            case .startUsing(let event, let use): "\(event.name)+use(\(use.requestID))"
            case .perform(let n): "perform(\(n))"
            case .wait(let d): "wait(\(DurationText.format(d)))"
            case .finish(let report, let flow): "finish(\(report.status)\(flow == .proceed ? "" : ", stop"))"
            }
        }
    }

    static func finished(_ actions: [StepMachine.Action]) -> (StepReport, StepMachine.Flow)? {
        if case .finish(let report, let flow)? = actions.last { return (report, flow) }
        return nil
    }

    static func config(_ kind: Step.Kind, risk: Step.Risk = .medium, when: Bool = false, retry: StepMachine.Configuration.Retry? = nil,
                       unreachable: CheckStatus? = nil, continueOnFailure: Bool = false, mode: Planner.Mode) -> StepMachine.Configuration
    {
        .init(id: "s", kind: kind, risk: risk, hasWhen: when, retry: retry, unreachable: unreachable, continueOnFailure: continueOnFailure,
              operatorName: "ana", mode: mode)
    }

    /// Drives a machine through `events` (each at t = its index in seconds) and returns
    /// every action it asked for.
    static func drive(_ configuration: StepMachine.Configuration, _ events: [StepMachine.Event]) -> [StepMachine.Action] {
        var machine = StepMachine(configuration)
        var actions = machine.start()
        for (i, event) in events.enumerated() { actions += machine.handle(event, at: .seconds(i + 1)) }
        return actions
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var configuration: StepMachine.Configuration
        var events: [StepMachine.Event]
        var expected: [String]
        var testDescription: String { name }
    }

    static let ranGreen = StepMachine.Event.performed(.init(.checked(.green, untilHolds: false), result: .object([("n", 1)]), digest: "d"))
    static let ranRed = StepMachine.Event.performed(.init(.checked(.red, untilHolds: false)))
    static let succeeded = StepMachine.Event.performed(.init(.performed(succeeded: true, failure: nil)))
    static let failed = StepMachine.Event.performed(.init(.performed(succeeded: false, failure: "exited with status 1")))

    static let cases: [Case] = [
        Case(name: "a check runs and ends green", configuration: config(.check, mode: live),
             events: [.rendered(rendering), ranGreen],
             expected: ["render", "step.started", "perform(1)", "step.ended", "finish(green)"]),
        Case(name: "a check runs for real in a dry run too", configuration: config(.check, mode: dry),
             events: [.rendered(rendering), ranRed],
             expected: ["render", "step.started", "perform(1)", "step.ended", "finish(red)"]),
        Case(name: "when false skips", configuration: config(.action, when: true, mode: live),
             events: [.whenEvaluated(false)],
             expected: ["when", "step.skipped", "finish(skipped)"]),
        Case(name: "a when that cannot be evaluated stops an action", configuration: config(.action, when: true, mode: live),
             events: [.whenFailed("no such step")],
             expected: ["when", "step.ended!", "finish(failed, stop)"]),
        Case(name: "a when that cannot be evaluated makes a check error and goes on", configuration: config(.check, when: true, mode: live),
             events: [.whenFailed("no such step")],
             expected: ["when", "step.ended", "finish(error)"]),
        Case(name: "a dry run only plans an action", configuration: config(.action, mode: Planner.Mode(dryRun: true, yes: true)),
             events: [.rendered(rendering)],
             expected: ["render", "step.planned", "finish(planned)"]),
        Case(name: "a dry run only plans a notify step", configuration: config(.notify, mode: dry),
             events: [.rendered(rendering)],
             expected: ["render", "step.planned", "finish(planned)"]),
        Case(name: "a plan renders without auditing", configuration: config(.action, mode: .plan),
             events: [.rendered(rendering)],
             expected: ["render", "finish(planned)"]),
        Case(name: "a plan goes on past an action it cannot render", configuration: config(.action, mode: .plan),
             events: [.renderFailed("needs steps.x.result", code: nil)],
             expected: ["render", "step.ended!", "finish(failed)"]),
        Case(name: "no terminal and no flag: awaiting approval", configuration: config(.action, mode: live),
             events: [.rendered(rendering)],
             expected: ["render", "gate.decision!", "finish(awaiting-approval, stop)"]),
        Case(name: "--yes passes a medium gate", configuration: config(.action, mode: Planner.Mode(dryRun: false, yes: true)),
             events: [.rendered(rendering), succeeded],
             expected: ["render", "gate.decision!", "step.started!", "perform(1)", "step.ended!", "finish(succeeded)"]),
        Case(name: "--yes does not pass a high gate", configuration: config(.action, risk: .high, mode: Planner.Mode(dryRun: false, yes: true)),
             events: [.rendered(rendering)],
             expected: ["render", "gate.decision!", "finish(awaiting-approval, stop)"]),
        Case(name: "--approve passes a high gate", configuration: config(.action, risk: .high, mode: Planner.Mode(dryRun: false, approvals: ["s"])),
             events: [.rendered(rendering), succeeded],
             expected: ["render", "gate.decision!", "step.started!", "perform(1)", "step.ended!", "finish(succeeded)"]),
        Case(name: "the terminal says yes", configuration: config(.action, risk: .high, mode: Planner.Mode(dryRun: false, interactive: true)),
             events: [.rendered(rendering), .gateAnswered(approved: true, question: "go?"), succeeded],
             expected: ["render", "ask(high)", "gate.decision!", "step.started!", "perform(1)", "step.ended!", "finish(succeeded)"]),
        Case(name: "the terminal says no", configuration: config(.action, mode: Planner.Mode(dryRun: false, interactive: true)),
             events: [.rendered(rendering), .gateAnswered(approved: false, question: "go?")],
             expected: ["render", "ask(medium)", "gate.decision!", "finish(declined, stop)"]),
        Case(name: "a failed action stops the run", configuration: config(.action, mode: Planner.Mode(dryRun: false, yes: true)),
             events: [.rendered(rendering), failed],
             expected: ["render", "gate.decision!", "step.started!", "perform(1)", "step.ended!", "finish(failed, stop)"]),
        Case(name: "continue-on-failure goes on", configuration: config(.action, continueOnFailure: true, mode: Planner.Mode(dryRun: false, yes: true)),
             events: [.rendered(rendering), failed],
             expected: ["render", "gate.decision!", "step.started!", "perform(1)", "step.ended!", "finish(failed)"]),
        Case(name: "a notify step is delivered in a live run", configuration: config(.notify, mode: live),
             events: [.rendered(rendering), succeeded],
             expected: ["render", "step.started!", "perform(1)", "step.ended!", "finish(succeeded)"]),
        Case(name: "a notify step that could not be delivered does not stop the run", configuration: config(.notify, mode: live),
             events: [.rendered(rendering), failed],
             expected: ["render", "step.started!", "perform(1)", "step.ended!", "finish(failed)"]),
        Case(name: "a notify step past its timeout does not stop the run", configuration: config(.notify, mode: live),
             events: [.rendered(rendering), .performed(.init(.timedOut(.seconds(30))))],
             expected: ["render", "step.started!", "perform(1)", "step.ended!", "finish(failed)"]),
        Case(name: "a notify step naming a channel the environment lacks does not stop the run", configuration: config(.notify, mode: live),
             events: [.renderFailed("no channel 'incident'", code: .configuration)],
             expected: ["render", "step.ended!", "finish(failed)"]),
        Case(name: "a timed-out check is error", configuration: config(.check, mode: live),
             events: [.rendered(rendering), .performed(.init(.timedOut(.seconds(5))))],
             expected: ["render", "step.started", "perform(1)", "step.ended", "finish(error)"]),
        Case(name: "unreachable: red applies to a timeout", configuration: config(.check, unreachable: .red, mode: live),
             events: [.rendered(rendering), .performed(.init(.timedOut(.seconds(5))))],
             expected: ["render", "step.started", "perform(1)", "step.ended", "finish(red)"]),
        Case(name: "unreachable: red applies to a refused connection", configuration: config(.check, unreachable: .red, mode: live),
             events: [.rendered(rendering), .performed(.init(.couldNotRun(DriverError(.unreachable, "connection refused"))))],
             expected: ["render", "step.started", "perform(1)", "step.ended", "finish(red)"]),
        Case(name: "unreachable: red does not hide a configuration error", configuration: config(.check, unreachable: .red, mode: live),
             events: [.rendered(rendering), .performed(.init(.couldNotRun(DriverError(.configuration, "no database.url"))))],
             expected: ["render", "step.started", "perform(1)", "step.ended", "finish(error)"]),
        Case(name: "unreachable: red does not hide a refused login", configuration: config(.check, unreachable: .red, mode: live),
             events: [.rendered(rendering), .performed(.init(.couldNotRun(DriverError(.authentication, "password authentication failed"))))],
             expected: ["render", "step.started", "perform(1)", "step.ended", "finish(error)"]),
        Case(name: "retry until it holds", configuration: config(.check, retry: .init(every: .seconds(1), total: .seconds(10), condition: "x"), mode: live),
             events: [.rendered(rendering), ranRed, .retryTick, .performed(.init(.checked(.green, untilHolds: true)))],
             expected: ["render", "step.started", "perform(1)", "wait(1s)", "perform(2)", "step.ended", "finish(green)"]),
        Case(name: "retry gives up red when its time is over", configuration: config(.check, retry: .init(every: .seconds(2), total: .seconds(5), condition: "x"), mode: live),
             events: [.rendered(rendering), .performed(.init(.checked(.yellow, untilHolds: false))), .retryTick,
                      .performed(.init(.checked(.yellow, untilHolds: false)))],
             expected: ["render", "step.started", "perform(1)", "wait(2s)", "perform(2)", "step.ended", "finish(red)"]),
        Case(name: "interrupted while performing", configuration: config(.action, mode: Planner.Mode(dryRun: false, yes: true)),
             events: [.rendered(rendering), .performed(.init(.interrupted))],
             expected: ["render", "gate.decision!", "step.started!", "perform(1)", "step.ended!", "finish(failed, stop)"]),
        Case(name: "interrupted while waiting to retry", configuration: config(.check, retry: .init(every: .seconds(1), total: .seconds(10), condition: "x"), mode: live),
             events: [.rendered(rendering), ranRed, .interrupted],
             expected: ["render", "step.started", "perform(1)", "wait(1s)", "step.ended", "finish(error, stop)"]),
        Case(name: "events after the end are ignored", configuration: config(.check, mode: live),
             events: [.rendered(rendering), ranGreen, ranRed, .interrupted],
             expected: ["render", "step.started", "perform(1)", "step.ended", "finish(green)"]),
    ]

    @Test(arguments: cases)
    func step(_ c: Case) {
        #expect(Self.names(Self.drive(c.configuration, c.events)) == c.expected)
    }

    @Test func interruptedEndsTheRunAsInterrupted() throws {
        let actions = Self.drive(Self.config(.check, mode: Self.live), [.rendered(Self.rendering), .performed(.init(.interrupted))])
        let (report, flow) = try #require(Self.finished(actions))
        #expect(report.message == "interrupted")
        #expect(flow == .stop(.interrupted, message: "interrupted"))
    }

    @Test func gaveUpSaysWhy() throws {
        let c = Self.config(.check, retry: .init(every: .seconds(5), total: .seconds(3), condition: "result.n < 5"), mode: Self.live)
        let (report, _) = try #require(Self.finished(Self.drive(c, [.rendered(Self.rendering), Self.ranRed])))
        #expect(report.message == "gave up after 1 attempt in 3s: 'result.n < 5' never held")
        #expect(report.attempts == 1)
    }

    @Test func theReportCarriesResultDurationAndDigest() throws {
        let actions = Self.drive(Self.config(.check, mode: Self.live), [.rendered(Self.rendering), Self.ranGreen])
        let (report, _) = try #require(Self.finished(actions))
        #expect(report.result == .object([("n", 1)]))
        #expect(report.command == "touch X")
        #expect(report.durationMs == 2000)
        guard case .audit(.stepEnded(let ended), _)? = actions.dropLast().last else { Issue.record("no step.ended"); return }
        #expect(ended.outputSHA256 == "d")
        #expect(ended.status == .green)
    }

    @Test func aConfigurationErrorIsCarriedToTheOutcome() throws {
        let actions = Self.drive(Self.config(.check, mode: Self.live),
                                 [.rendered(Self.rendering), .performed(.init(.couldNotRun(DriverError(.configuration, "no database.url"))))])
        let (report, _) = try #require(Self.finished(actions))
        #expect(report.failureCode == .configuration)
        let outcome = RunOutcome(end: .completed, steps: [report])
        #expect(outcome.exitCode == 2)
        #expect(outcome.status == .error)
    }

    @Test func theGateRecordsWhoAndHow() throws {
        let actions = Self.drive(Self.config(.action, mode: Planner.Mode(dryRun: false, approvals: ["s"])), [.rendered(Self.rendering), Self.succeeded])
        guard case .audit(.gateDecision(let gate), let sync) = actions[1] else { Issue.record("no gate decision"); return }
        #expect(sync)
        #expect(gate.by == "ana")
        #expect(gate.how == "--approve s")
        #expect(gate.decision == .approved)
        #expect(gate.command == Self.rendering.audit)
    }
}

@Suite("Run outcome precedence")
struct RunOutcomePrecedenceTests {
    static func steps(_ statuses: StepStatus...) -> [StepReport] {
        statuses.enumerated().map { StepReport(id: "s\($0.offset)", kind: $0.element.checkStatus == nil && $0.element != .skipped ? .action : .check,
                                               title: "s", status: $0.element) }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var end: RunOutcome.End
        var steps: [StepReport]
        var status: RunReport.Status
        var exit: Int32
        var testDescription: String { "\(end) \(steps.map(\.status.rawValue)) → \(exit)" }
    }

    static let cases: [Case] = [
        Case(end: .completed, steps: steps(.green, .yellow), status: .yellow, exit: 0),
        Case(end: .completed, steps: steps(.green, .skipped), status: .green, exit: 0),
        Case(end: .completed, steps: steps(.red, .succeeded), status: .red, exit: 1),
        Case(end: .completed, steps: steps(.red, .error), status: .error, exit: 4),
        Case(end: .actionFailed(step: "s1"), steps: steps(.green, .failed), status: .red, exit: 1),
        Case(end: .awaitingApproval(step: "s1"), steps: steps(.red, .awaitingApproval), status: .awaitingApproval, exit: 3),
        Case(end: .declined(step: "s1"), steps: steps(.red, .declined), status: .aborted, exit: 3),
        Case(end: .interrupted, steps: steps(.red, .failed), status: .aborted, exit: 130),
        Case(end: .auditFailed, steps: [], status: .error, exit: 4),
        // A notification that could not be delivered is a warning: the repair's outcome decides.
        Case(end: .completed, steps: steps(.green, .succeeded) + [notify(.failed)], status: .yellow, exit: 0),
        Case(end: .completed, steps: steps(.red) + [notify(.failed)], status: .red, exit: 1),
        Case(end: .completed, steps: steps(.green) + [notify(.failed, code: .configuration)], status: .error, exit: 2),
    ]

    static func notify(_ status: StepStatus, code: DriverError.Code? = nil) -> StepReport {
        var report = StepReport(id: "tell", kind: .notify, title: "tell", status: status)
        report.failureCode = code
        return report
    }

    @Test(arguments: cases)
    func precedence(_ c: Case) {
        let outcome = RunOutcome(end: c.end, steps: c.steps)
        #expect(outcome.status == c.status)
        #expect(outcome.exitCode == c.exit)
    }

    /// A four-eyes gate: the verdict decides; flags and the terminal are never asked.
    @Test func fourEyesGateEveryVerdict() {
        var mode = Planner.Mode(dryRun: false, yes: true, approvals: ["s"], interactive: true)
        mode.fourEyes = ["s": 1]
        let grant = ApprovalGrant(requestID: "apr-0123456789", requester: "alice", digest: "sha256:x", required: 1,
                                  approvals: [ApprovalDecision(requestID: "apr-0123456789", approver: "bob", verdict: .approved, comment: "", decidedAt: 1)])
        let table: [(ApprovalVerdict, [String], RunOutcome.End?)] = [
            (.approved(grant), ["gate.decision!", "step.started+use(apr-0123456789)"], nil),
            (.pending(requestID: "apr-0123456789", message: "pending"), ["gate.decision!", "finish(awaiting-approval, stop)"], .awaitingApproval(step: "s")),
            (.stale(requestID: "apr-0123456789", approvedDigest: "a", digest: "b", diff: ["x: red -> green"]),
             ["approval.stale!", "finish(awaiting-approval, stop)"], .approvalStale(step: "s")),
            (.refused(requestID: "apr-0123456789", message: "denied"), ["gate.decision!", "finish(declined, stop)"], .approvalRefused(step: "s")),
            (.unavailable("down"), ["step.ended!", "finish(failed, stop)"], .approvalUnavailable(step: "s")),
        ]
        for (verdict, expected, end) in table {
            var machine = StepMachine(StepMachineTests.config(.action, risk: .high, mode: mode))
            #expect(StepMachineTests.names(machine.start()) == ["render"])
            #expect(StepMachineTests.names(machine.handle(.rendered(StepMachineTests.rendering), at: .zero)) == ["approval(1)"])
            let actions = machine.handle(.approvalResolved(verdict), at: .zero)
            #expect(StepMachineTests.names(actions) == expected, "\(verdict)")
            if let end { #expect(StepMachineTests.finished(actions)?.1 == .stop(end, message: Self.stopMessage(actions) ?? "")) }
        }
    }

    /// An approved action runs only once its use is recorded with its start; a use refused (another
    /// run used the request meanwhile) ends it declined, with the `step.ended` its start needs.
    @Test func approvedActionRunsOnlyOnceItsUseIsRecorded() {
        var mode = Planner.Mode(dryRun: false, yes: true)
        mode.fourEyes = ["s": 1]
        let grant = ApprovalGrant(requestID: "apr-0123456789", requester: "alice", digest: "sha256:x", required: 1,
                                  approvals: [ApprovalDecision(requestID: "apr-0123456789", approver: "bob", verdict: .approved, comment: "", decidedAt: 1)])
        let table: [(ApprovalUse.Outcome, [String], RunOutcome.End?)] = [
            (.used, ["perform(1)"], nil),
            (.refused("apr-0123456789 was used by run r2"), ["step.ended!", "finish(declined, stop)"], .approvalRefused(step: "s")),
            (.unavailable("ledger down"), ["step.ended!", "finish(failed, stop)"], .approvalUnavailable(step: "s")),
        ]
        for (outcome, expected, end) in table {
            var machine = StepMachine(StepMachineTests.config(.action, risk: .high, mode: mode))
            _ = machine.start()
            _ = machine.handle(.rendered(StepMachineTests.rendering), at: .zero)
            _ = machine.handle(.approvalResolved(.approved(grant)), at: .zero)
            let actions = machine.handle(.approvalUsed(outcome), at: .zero)
            #expect(StepMachineTests.names(actions) == expected, "\(outcome)")
            if let end { #expect(StepMachineTests.finished(actions)?.1 == .stop(end, message: Self.stopMessage(actions) ?? "")) }
        }
    }

    /// An action an earlier run of the approval chain did: not evaluated, rendered or run
    /// again; recorded as skipped, reported and read as succeeded, whatever its `when` now.
    @Test func actionDoneBeforeTheApprovalRequestReadsAsSucceeded() {
        var mode = Planner.Mode(dryRun: false, yes: true)
        mode.fourEyes = ["s": 1]
        mode.alreadyDone = ["s": "done before approval request apr-0123456789 (run r1 or earlier)"]
        var machine = StepMachine(StepMachineTests.config(.action, risk: .high, when: true, mode: mode))
        let actions = machine.start()
        #expect(StepMachineTests.names(actions) == ["step.skipped", "finish(succeeded)"])
        #expect(StepMachineTests.finished(actions)?.0.message == "done before approval request apr-0123456789 (run r1 or earlier)")
        // A check of the same id, or a dry run, is not affected.
        #expect(StepMachineTests.names(StepMachine(StepMachineTests.config(.check, mode: mode)).startCopy()) == ["render"])
        var dry = mode
        dry.dryRun = true
        #expect(StepMachineTests.names(StepMachine(StepMachineTests.config(.action, mode: dry)).startCopy()) == ["render"])
    }

    static func stopMessage(_ actions: [StepMachine.Action]) -> String? {
        if case .stop(_, let m)? = StepMachineTests.finished(actions)?.1 { return m }
        return nil
    }
}

extension StepMachine {
    /// `start()` on a copy, for one-line expectations.
    fileprivate func startCopy() -> [Action] {
        var copy = self
        return copy.start()
    }
}
