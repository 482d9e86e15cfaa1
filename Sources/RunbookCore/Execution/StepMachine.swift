/// The life of one step, as a pure state machine: the executor feeds it events (`when`
/// evaluated, command rendered, gate answered, an attempt's outcome, a retry tick, an
/// interrupt) and performs the actions it returns (evaluate, render, ask, audit, perform,
/// wait, finish). It does no I/O and reads no clock (elapsed time comes with each event),
/// so every path a step can take is tested as a table, without processes: as postgres-nio's
/// connection state machine is.
///
/// Dry-run and gate semantics live here (through ``Planner/decide(kind:id:risk:when:mode:)``)
/// and nowhere else: a driver never decides whether it runs.
public struct StepMachine: Sendable {
    /// What the machine needs to know of the step and the run.
    public struct Configuration: Sendable {
        /// The step id.
        public var id: String
        /// Check, action or notify: decides gates, the status of a broken step and whether a
        /// failure stops the run.
        public var kind: Step.Kind
        /// The title reports show (the id when the step has none).
        public var title: String
        /// The gate's risk (only actions have a gate).
        public var risk: Step.Risk
        /// Whether `when` must be evaluated first (never in a plan, which evaluates none).
        public var hasWhen: Bool
        /// `retry:` of a check in a live run (a dry run tries once).
        public var retry: Retry?
        /// A check's `unreachable:` colour, used instead of `error` when its target cannot be
        /// reached or it times out; nil: `error`.
        public var unreachable: CheckStatus?
        /// `continue-on-failure`: a failed action does not stop the run (a failed notify step
        /// never does).
        public var continueOnFailure: Bool
        /// The `same-as` step this check repeats (see ``RunOutcome/effective(_:)``).
        public var supersedes: String?
        /// An SQL check without thresholds: its rows are the finding, shown even when green.
        public var informational: Bool
        /// Who runs it, for gate decisions.
        public var operatorName: String
        /// The run's mode: dry run, plan, flags, terminal.
        public var mode: Planner.Mode

        /// `retry: {until, every, for}` without the expression: the machine only needs to
        /// know whether it held.
        public struct Retry: Sendable, Hashable {
            /// The pause between attempts.
            public var every: Duration
            /// How long to keep trying, from the step's start: it gives up (a green or yellow result
            /// turns red) when the next wait would end past it.
            public var total: Duration
            /// The `until` expression's text, for the give-up message.
            public var condition: String
            /// The retry's parts.
            public init(every: Duration, total: Duration, condition: String) {
                self.every = every
                self.total = total
                self.condition = condition
            }
        }

        /// A configuration from its parts (as the table tests build it); `title` defaults to `id`.
        public init(id: String, kind: Step.Kind, title: String? = nil, risk: Step.Risk = .medium, hasWhen: Bool = false,
                    retry: Retry? = nil, unreachable: CheckStatus? = nil, continueOnFailure: Bool = false,
                    supersedes: String? = nil, informational: Bool = false, operatorName: String = "operator", mode: Planner.Mode)
        {
            self.id = id
            self.kind = kind
            self.title = title ?? id
            self.risk = risk
            self.hasWhen = hasWhen
            self.retry = retry
            self.unreachable = unreachable
            self.continueOnFailure = continueOnFailure
            self.supersedes = supersedes
            self.informational = informational
            self.operatorName = operatorName
            self.mode = mode
        }

        /// The configuration for `step` in a run of `mode` by `operatorName`.
        public init(step: Step, mode: Planner.Mode, operatorName: String) {
            var informational = false
            if case .sql = step.driver, step.kind == .check, step.thresholds.isEmpty { informational = true }
            let retry = (step.kind == .check && !mode.dryRun && !mode.renderOnly) ? step.retry.map {
                Retry(every: $0.every, total: $0.total, condition: $0.until.value.source)
            } : nil
            self.init(id: step.id, kind: step.kind, title: step.displayTitle, risk: step.risk, hasWhen: step.when != nil && !mode.renderOnly,
                      retry: retry, unreachable: step.unreachable, continueOnFailure: step.continueOnFailure, supersedes: step.sameAs,
                      informational: informational, operatorName: operatorName, mode: mode)
        }
    }

    /// The rendered command, as shown and audited (already redacted).
    public struct Rendering: Sendable, Hashable {
        /// One line a human reads (``RenderedCommand/display``).
        public var display: String
        /// What a dry run says (``RenderedCommand/wouldDo``).
        public var wouldDo: String
        /// The structured command for the audit log (``RenderedCommand/auditValue``).
        public var audit: Value
        /// What a dry run shows as the result (a notify step's message).
        public var preview: Value?
        /// A rendering; every part must already be redacted.
        public init(display: String, wouldDo: String, audit: Value, preview: Value? = nil) {
            self.display = display
            self.wouldDo = wouldDo
            self.audit = audit
            self.preview = preview
        }
    }

    /// One try at performing the step, as the executor saw it (redacted).
    public struct Attempt: Sendable, Hashable {
        /// How the attempt ended.
        public enum Outcome: Sendable, Hashable {
            /// A check ran: its colour (thresholds, Nagios or the driver's rule), and whether
            /// its `retry.until` held.
            case checked(CheckStatus, untilHolds: Bool)
            /// An action or notify ran: whether it succeeded, and why not.
            case performed(succeeded: Bool, failure: String?)
            /// The check ran but its thresholds or `until` could not be evaluated.
            case evaluationFailed(String)
            /// The driver could not run it.
            case couldNotRun(DriverError)
            /// Past its timeout; the driver's work was stopped.
            case timedOut(Duration)
            /// Ctrl-C, SIGTERM or SIGHUP during the attempt.
            case interrupted
            /// The run lock was found lost just before an action: it was not performed.
            case leaseLost(String)
        }

        /// How it ended.
        public var outcome: Outcome
        /// The step's `result`, redacted; `.null` when the command did not run.
        public var result: Value
        /// A bounded, redacted excerpt of the output; nil when nothing ran.
        public var excerpt: String?
        /// SHA-256 (hex) of the whole raw output; nil when nothing ran.
        public var digest: String?

        /// An attempt; `result` and `excerpt` must already be redacted.
        public init(_ outcome: Outcome, result: Value = .null, excerpt: String? = nil, digest: String? = nil) {
            self.outcome = outcome
            self.result = result
            self.excerpt = excerpt
            self.digest = digest
        }
    }

    /// What the executor tells the machine, each in answer to an ``Action``.
    public enum Event: Sendable, Hashable {
        /// `when` held or not (answers `evaluateWhen`).
        case whenEvaluated(Bool)
        /// `when` could not be evaluated (redacted message): a check becomes `error` (the run
        /// goes on), an action `failed` (the run stops).
        case whenFailed(String)
        /// The command was rendered (answers `render`).
        case rendered(Rendering)
        /// The command could not be rendered (redacted message); `code` is `configuration` when the
        /// environment lacks what the step needs (exit 2). Broken as for `whenFailed`, except that a
        /// plan goes on.
        case renderFailed(String, code: DriverError.Code?)
        /// The terminal's answer, with the question that was asked.
        case gateAnswered(approved: Bool, question: String)
        /// The four-eyes verdict (answers `requestApproval`).
        case approvalResolved(ApprovalVerdict)
        /// Whether the approval was used with the action's start (answers `startUsing`).
        case approvalUsed(ApprovalUse.Outcome)
        /// An attempt ended (answers `perform`).
        case performed(Attempt)
        /// The wait between two attempts of a retrying check is over.
        case retryTick
        /// Ctrl-C, SIGTERM or SIGHUP outside an attempt (while waiting or asking).
        case interrupted
    }

    /// What the machine asks the executor to do, in the order returned.
    public enum Action: Sendable {
        /// Evaluate the step's `when`; answer with `whenEvaluated` or `whenFailed`.
        case evaluateWhen
        /// Render the command; answer with `rendered` or `renderFailed`.
        case render
        /// Ask on the terminal (y/N, or typing the id for high risk); answer with `gateAnswered`.
        case ask(Step.Risk)
        /// Get the four-eyes verdict on the plan (the ledger's approval requests); answer with
        /// `approvalResolved`.
        case requestApproval(required: Int)
        /// Write this record before going on; `sync` before anything is performed by an action.
        case audit(AuditEvent, sync: Bool)
        /// Write this `step.started` record of an approved action with the request's use, in one
        /// transaction of the ledger; answer with `approvalUsed`.
        case startUsing(AuditEvent, ApprovalUse)
        /// Perform the rendered command (attempt number, from 1); answer with `performed`.
        case perform(attempt: Int)
        /// Wait before the next attempt; answer with `retryTick` (or `interrupted`).
        case wait(Duration)
        /// The step is over.
        case finish(StepReport, Flow)
    }

    /// What the run does after the step.
    public enum Flow: Sendable, Hashable {
        /// Go on to the next step.
        case proceed
        /// The run stops here, for this reason.
        case stop(RunOutcome.End, message: String)
    }

    enum State: Sendable, Hashable {
        case idle, evaluatingWhen, rendering(Planner.Decision), asking, awaitingApproval, usingApproval, performing(attempt: Int), waiting(attempt: Int), finished
    }

    /// What the machine was made with.
    public let configuration: Configuration
    private(set) var state: State = .idle
    private var report: StepReport
    private var rendering: Rendering?
    private var digest: String?
    private var elapsed: Duration = .zero

    /// A machine that has not started; call ``start()``.
    public init(_ configuration: Configuration) {
        self.configuration = configuration
        report = StepReport(id: configuration.id, kind: configuration.kind, title: configuration.title, status: .skipped)
        report.supersedes = configuration.supersedes
        report.informational = configuration.informational
    }

    var isCheck: Bool { configuration.kind == .check }
    /// The status of a step that could not go on: `error` for a check, `failed` otherwise.
    var brokenStatus: StepStatus { isCheck ? .error : .failed }

    /// Begins the step.
    public mutating func start() -> [Action] {
        guard state == .idle else { return [] }
        if let reason = Planner.doneBefore(kind: configuration.kind, id: configuration.id, mode: configuration.mode) {
            // Done by an earlier run of the approval chain: recorded as skipped (it does not run
            // here), reported and read as succeeded (it did run, there).
            state = .finished
            report.status = .succeeded
            report.message = reason
            return [.audit(.stepSkipped(step: configuration.id, reason: reason), sync: false), .finish(report, .proceed)]
        }
        if configuration.hasWhen {
            state = .evaluatingWhen
            return [.evaluateWhen]
        }
        return decide(when: true)
    }

    /// Feeds one event, `elapsed` after the step began; returns what to do next, in order.
    public mutating func handle(_ event: Event, at elapsed: Duration) -> [Action] {
        self.elapsed = elapsed
        switch (state, event) {
        case (.finished, _):
            return []
        case (_, .interrupted):
            return interrupted()
        case (.evaluatingWhen, .whenEvaluated(let holds)):
            return decide(when: holds)
        case (.evaluatingWhen, .whenFailed(let message)):
            return broken(message, code: nil)
        case (.rendering(let decision), .rendered(let rendering)):
            return rendered(rendering, decision: decision)
        case (.rendering, .renderFailed(let message, let code)):
            return broken(message, code: code)
        case (.asking, .gateAnswered(let approved, let question)):
            return answered(approved: approved, question: question)
        case (.awaitingApproval, .approvalResolved(let verdict)):
            return resolved(verdict)
        case (.usingApproval, .approvalUsed(let outcome)):
            return used(outcome)
        case (.performing(let attempt), .performed(let result)):
            return performed(result, attempt: attempt)
        case (.waiting(let attempt), .retryTick):
            state = .performing(attempt: attempt + 1)
            return [.perform(attempt: attempt + 1)]
        default:
            // An event the state does not expect is a bug of the executor: end the step
            // rather than guess.
            return broken("internal error: \(event) in state \(state)", code: nil)
        }
    }

    private mutating func decide(when holds: Bool) -> [Action] {
        let decision = Planner.decide(kind: configuration.kind, id: configuration.id, risk: configuration.risk, when: holds, mode: configuration.mode)
        if case .skip(let reason) = decision {
            report.status = .skipped
            report.message = reason
            return finish(.proceed, audit: [.audit(.stepSkipped(step: configuration.id, reason: reason), sync: false)])
        }
        state = .rendering(decision)
        return [.render]
    }

    private mutating func rendered(_ rendering: Rendering, decision: Planner.Decision) -> [Action] {
        self.rendering = rendering
        report.command = rendering.display
        switch decision {
        case .preview:
            report.status = .planned
            report.message = rendering.wouldDo
            if let preview = rendering.preview { report.result = preview }
            if configuration.mode.renderOnly { return finish(.proceed) }
            return finish(.proceed, audit: [.audit(.stepPlanned(step: configuration.id, kind: configuration.kind, command: rendering.audit), sync: false)])
        case .blocked(let hint):
            report.status = .awaitingApproval
            report.message = hint
            let gate = gateDecision(.awaitingApproval, how: "none")
            return finish(.stop(.awaitingApproval(step: configuration.id), message: "stopped at the gate of '\(configuration.id)': \(hint)"),
                          audit: [.audit(.gateDecision(gate), sync: true)])
        case .ask(let risk):
            state = .asking
            return [.ask(risk)]
        case .fourEyes(let required):
            state = .awaitingApproval
            return [.requestApproval(required: required)]
        case .approved(let how):
            return [.audit(.gateDecision(gateDecision(.approved, how: how)), sync: true)] + begin()
        case .execute:
            return begin()
        case .skip:
            return broken("internal error: a skipped step was rendered", code: nil)
        }
    }

    private mutating func answered(approved: Bool, question: String) -> [Action] {
        let gate = gateDecision(approved ? .approved : .declined, how: "terminal", question: question)
        guard approved else {
            report.status = .declined
            report.message = "declined at the terminal"
            return finish(.stop(.declined(step: configuration.id), message: "'\(configuration.id)' was declined; nothing after it ran"),
                          audit: [.audit(.gateDecision(gate), sync: true)])
        }
        return [.audit(.gateDecision(gate), sync: true)] + begin()
    }

    /// Performs a four-eyes verdict: run with the grant recorded, or stop (pending 3, stale 3,
    /// refused 2, ledger unusable 4), each with its `gate.decision` (or `approval.stale`) record.
    private mutating func resolved(_ verdict: ApprovalVerdict) -> [Action] {
        let id = configuration.id
        switch verdict {
        case .approved(let grant):
            let gate = gateDecision(.approved, how: "four-eyes \(grant.requestID)", approval: grant.auditValue)
            report.message = "approved by \(grant.approvals.map(\.approver).joined(separator: ", ")) (\(grant.requestID))"
            state = .usingApproval
            // The run's own operator (the principal its key proved): the ledger's transaction checks
            // that this is the request's requester.
            let use = ApprovalUse(requestID: grant.requestID, requester: configuration.operatorName, step: id, standing: grant.standing != nil)
            return [.audit(.gateDecision(gate), sync: true), .startUsing(startedEvent, use)]
        case .pending(let request, let message):
            report.status = .awaitingApproval
            report.message = message
            let gate = gateDecision(.awaitingApproval, how: "four-eyes \(request)", approval: .object([("request_id", .string(request))]))
            return finish(.stop(.awaitingApproval(step: id), message: "stopped at the gate of '\(id)': \(message)"), audit: [.audit(.gateDecision(gate), sync: true)])
        case .stale(let request, let approved, let digest, let diff):
            report.status = .awaitingApproval
            report.message = "approval \(request) is stale, the plan changed since approval: " + diff.joined(separator: "; ")
            return finish(.stop(.approvalStale(step: id), message: "'\(id)' was not run: \(report.message ?? "")"),
                          audit: [.audit(.approvalStale(step: id, requestID: request, approvedDigest: approved, digest: digest, diff: diff), sync: true)])
        case .refused(let request, let message):
            report.status = .declined
            report.message = message
            let gate = gateDecision(.declined, how: request.map { "four-eyes \($0)" } ?? "four-eyes",
                                    approval: request.map { .object([("request_id", .string($0)), ("refused", .string(message))]) })
            return finish(.stop(.approvalRefused(step: id), message: "'\(id)' was not run: \(message)"), audit: [.audit(.gateDecision(gate), sync: true)])
        case .unavailable(let message):
            report.status = .failed
            report.message = message
            return finish(.stop(.approvalUnavailable(step: id), message: "'\(id)' was not run: \(message)"))
        }
    }

    private mutating func begin() -> [Action] {
        state = .performing(attempt: 1)
        return [.audit(startedEvent, sync: !isCheck), .perform(attempt: 1)]
    }

    private var startedEvent: AuditEvent {
        .stepStarted(step: configuration.id, kind: configuration.kind, command: rendering?.audit ?? .null)
    }

    /// After an approved action's start was written: run it once its use is recorded; else it
    /// ends, not run (a request used by another run: refused, 2; the ledger down: 4).
    private mutating func used(_ outcome: ApprovalUse.Outcome) -> [Action] {
        let id = configuration.id
        let message: String
        let end: RunOutcome.End
        switch outcome {
        case .used:
            state = .performing(attempt: 1)
            return [.perform(attempt: 1)]
        case .refused(let why):
            report.status = .declined
            (message, end) = (why, .approvalRefused(step: id))
        case .unavailable(let why):
            report.status = .failed
            (message, end) = (why, .approvalUnavailable(step: id))
        }
        report.message = message
        // `step.ended` even when declined: its `step.started` is written.
        let ended = AuditEvent.stepEnded(.init(step: id, kind: configuration.kind, status: report.status, durationMs: Int(elapsed.milliseconds),
                                               attempts: 0, outputSHA256: nil, excerpt: nil, message: message))
        return finish(.stop(end, message: "'\(id)' was not run: \(message)"), audit: report.status == .declined ? [.audit(ended, sync: true)] : [])
    }

    private mutating func performed(_ attempt: Attempt, attempt number: Int) -> [Action] {
        report.attempts = number
        report.failureCode = nil
        var untilHolds = false
        switch attempt.outcome {
        case .checked(let colour, let holds):
            report.status = .check(colour)
            report.message = nil
            untilHolds = holds
        case .performed(let succeeded, let failure):
            report.status = succeeded ? .succeeded : .failed
            report.message = succeeded ? nil : failure ?? "failed"
        case .evaluationFailed(let message):
            report.status = .error
            report.message = message
        case .couldNotRun(let error):
            report.status = isCheck ? (error.code.meansUnreachable ? configuration.unreachable.map(StepStatus.check) ?? .error : .error) : .failed
            report.message = error.message
            report.failureCode = error.code
        case .timedOut(let limit):
            report.status = isCheck ? configuration.unreachable.map(StepStatus.check) ?? .error : .failed
            report.message = "timed out after \(DurationText.format(limit)); stopped"
            report.failureCode = .timedOut
        case .interrupted:
            return interrupted()
        case .leaseLost(let why):
            report.status = .failed
            report.message = "lost the run lock: \(why); not performed"
            return finish(.stop(.lockLost(step: configuration.id), message: report.message ?? ""))
        }
        report.result = attempt.result
        report.excerpt = attempt.excerpt
        if let d = attempt.digest { digest = d }

        if let retry = configuration.retry, !untilHolds {
            if elapsed + retry.every > retry.total {
                report.message = "gave up after \(number) attempt\(number == 1 ? "" : "s") in \(DurationText.format(retry.total)): '\(retry.condition)' never held"
                if let colour = report.status.checkStatus, colour < .red { report.status = .red }
            } else {
                state = .waiting(attempt: number)
                return [.wait(retry.every)]
            }
        }
        // A notify step never stops the run: a message that could not be delivered must not
        // keep a repair from going on.
        if configuration.kind == .action, report.status == .failed, !configuration.continueOnFailure {
            return finish(.stop(.actionFailed(step: configuration.id), message: "action '\(configuration.id)' failed: \(report.message ?? "")"))
        }
        return finish(.proceed)
    }

    private mutating func interrupted() -> [Action] {
        report.status = brokenStatus
        report.message = state == .awaitingApproval ? "interrupted while waiting for approval; the request stays open" : "interrupted"
        if case .performing(let n) = state { report.attempts = n }
        return finish(.stop(.interrupted, message: "interrupted"))
    }

    private mutating func broken(_ message: String, code: DriverError.Code?) -> [Action] {
        report.status = brokenStatus
        report.message = message
        report.failureCode = code
        // A plan renders on: a step that reads results it cannot know yet must not hide the rest.
        // Nor does a notify step that could not be rendered (a channel the environment lacks).
        let flow: Flow = configuration.kind != .action || configuration.mode.renderOnly ? .proceed : .stop(.actionFailed(step: configuration.id), message: message)
        return finish(flow)
    }

    /// Ends the step: the `step.ended` record (unless skipped, planned, declined or awaiting
    /// approval: those have their `step.skipped`, `step.planned` or `gate.decision` record),
    /// then `finish`.
    private mutating func finish(_ flow: Flow, audit: [Action] = []) -> [Action] {
        state = .finished
        report.durationMs = Int(elapsed.milliseconds)
        var actions = audit
        let ended = report.status != .skipped && report.status != .planned && report.status != .awaitingApproval && report.status != .declined
        if ended {
            actions.append(.audit(.stepEnded(.init(step: configuration.id, kind: configuration.kind, status: report.status,
                                                   durationMs: report.durationMs, attempts: report.attempts, outputSHA256: digest,
                                                   excerpt: report.excerpt, message: report.message)), sync: !isCheck))
        }
        actions.append(.finish(report, flow))
        return actions
    }

    private func gateDecision(_ decision: AuditEvent.GateDecision.Decision, how: String, question: String? = nil,
                              approval: Value? = nil) -> AuditEvent.GateDecision
    {
        AuditEvent.GateDecision(step: configuration.id, risk: configuration.risk, decision: decision, by: configuration.operatorName,
                                how: how, question: question, command: rendering?.audit ?? .null, approval: approval)
    }
}
