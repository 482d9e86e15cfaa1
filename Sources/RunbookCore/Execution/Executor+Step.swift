import Foundation

extension Executor {
    static let defaultCheckTimeout = Duration.seconds(60)
    static let defaultActionTimeout = Duration.seconds(600)
    static let defaultNotifyTimeout = Duration.seconds(30)

    /// Runs one step to its outcome by performing what its machine asks for. Throws only
    /// `AuditError` (the run must stop).
    func runStep(_ step: Step, scope: ExpressionScope, request: Request, reports: [String: StepReport]) async throws(AuditError) -> StepOutcome {
        let t0 = clock.now()
        var machine = StepMachine(.init(step: step, mode: request.mode, operatorName: request.operatorName))
        var work = StepWork(step: step, scope: scope, retrying: machine.configuration.retry != nil)
        var actions = machine.start()
        while !actions.isEmpty {
            let action = actions.removeFirst()
            let event: StepMachine.Event
            switch action {
            case .finish(let report, let flow):
                return StepOutcome(report: report, flow: flow)
            case .audit(let record, let sync):
                try await audit.record(record, runID: request.runID, sync: sync)
                continue
            case .startUsing(let record, let use):
                event = .approvalUsed(try await audit.start(record, runID: request.runID, using: use))
            case .evaluateWhen:
                event = evaluateWhen(&work)
            case .render:
                event = render(&work)
            case .ask(let risk):
                event = await ask(risk, work: work)
            case .requestApproval(let required):
                event = .approvalResolved(await requestApproval(required: required, work: work, request: request, reports: reports))
            case .perform(let attempt):
                event = .performed(await perform(&work, attempt: attempt))
            case .wait(let pause):
                observer?.stepStarted(step, command: "retry: waiting \(DurationText.format(pause)) for \(step.retry?.until.value.source ?? "")")
                do { try await clock.sleep(for: pause); event = .retryTick } catch { event = .interrupted }
            }
            actions += machine.handle(Task.isCancelled ? .interrupted : event, at: clock.now() - t0)
        }
        // A machine always ends with `finish`; reaching here is a bug.
        return StepOutcome(report: StepReport(id: step.id, kind: step.kind, title: step.displayTitle, status: .error,
                                              message: "internal error: the step ended without an outcome"),
                           flow: .proceed)
    }

    /// What the executor keeps between a step's actions.
    struct StepWork {
        let step: Step
        let scope: ExpressionScope
        var driverScope: ExpressionScope
        var command: RenderedCommand?
        /// Whether `retry.until` is evaluated after each attempt (live checks with `retry:`).
        let retrying: Bool

        init(step: Step, scope: ExpressionScope, retrying: Bool) {
            self.step = step
            self.scope = scope
            self.driverScope = scope
            self.retrying = retrying
        }
    }

    func evaluateWhen(_ work: inout StepWork) -> StepMachine.Event {
        guard let when = work.step.when else { return .whenEvaluated(true) }
        do {
            let held = try renderer.evaluate(when, key: "when", step: work.step, scope: work.scope).isTruthy
            probe?.evaluated(step: work.step.id, key: "when", held: held)
            return .whenEvaluated(held)
        } catch {
            return .whenFailed(redactor.redact(error.description))
        }
    }

    func render(_ work: inout StepWork) -> StepMachine.Event {
        do {
            work.driverScope = try renderer.driverScope(for: work.step, runbookScope: work.scope)
            let command = try renderer.render(work.step, scope: work.driverScope)
            work.command = command
            var preview: Value?
            if case .notify(let n) = command {
                // What a dry run would post, and where (channel names and types, never URLs).
                preview = .object([("message", .string(redactor.redact(n.message))),
                                   ("channels", .list(n.channels.map { .object([("name", .string($0.name)), ("type", .string($0.kind.rawValue))]) }))])
            }
            return .rendered(.init(display: redactor.redact(command.display), wouldDo: redactor.redact(command.wouldDo),
                                   audit: redactor.redact(command.auditValue), preview: preview))
        } catch {
            return .renderFailed(redactor.redact(error.description), code: error.code)
        }
    }

    func ask(_ risk: Step.Risk, work: StepWork) async -> StepMachine.Event {
        let step = work.step
        let question = step.confirm.flatMap { try? renderer.render($0, key: "confirm", step: step, scope: work.scope) }
            ?? "Run action '\(step.id)'?"
        let display = work.command.map { redactor.redact($0.display) } ?? ""
        let approved = await askTerminal(step: step, risk: risk, question: question, display: display)
        return .gateAnswered(approved: approved, question: redactor.redact(question))
    }

    /// The four-eyes verdict on the action's plan at this moment (``ApprovalPlan``).
    func requestApproval(required: Int, work: StepWork, request: Request, reports: [String: StepReport]) async -> ApprovalVerdict {
        guard let approvals else {
            return .unavailable("'\(work.step.id)' needs \(required) approval\(required == 1 ? "" : "s") but this run has no ledger to ask in (ledger.url)")
        }
        let secret = request.runbook.inputs.filter(\.secret).map(\.name)
        if !secret.isEmpty && request.planKey == nil {
            return .refused(requestID: nil, message: "'\(work.step.id)' needs \(required) approval\(required == 1 ? "" : "s"), but runbook "
                + "\(request.runbook.id) has secret input\(secret.count == 1 ? "" : "s") (\(secret.joined(separator: ", "))) that an approval could not bind "
                + "without a plan key: set \(PlanKey.variable) (a file of at least \(PlanKey.minimumBytes) random bytes) where the run is enforced")
        }
        let plan = approvalPlan(required: required, work: work, request: request, reports: reports)
        return await approvals.decide(plan, runID: request.runID, requester: request.operatorName)
    }

    /// The plan of the action in `work`, as its gate sees it now.
    func approvalPlan(required: Int, work: StepWork, request: Request, reports: [String: StepReport]) -> ApprovalPlan {
        let step = work.step
        let question = step.confirm.flatMap { try? renderer.render($0, key: "confirm", step: step, scope: work.scope) }.map(redactor.redact)
        return ApprovalPlan(
            runbook: request.runbook.id, runbookSHA256: request.runbook.sha256, environment: request.environment.name,
            environmentSHA256: request.environment.sha256 ?? "", inputs: redactor.redact(.object(ValueObject(request.inputs))),
            action: step.id, risk: step.risk, required: required, command: work.command.map { redactor.redact($0.auditValue) } ?? .null,
            display: work.command.map { redactor.redact($0.display) } ?? "", question: question,
            findings: ApprovalPlan.findings(of: step, scope: work.scope, reports: reports, steps: request.runbook.steps),
            alreadyDone: Set(request.mode.alreadyDone.keys).union(reports.values.filter { $0.kind == .action && $0.status == .succeeded }.map(\.id)).sorted(),
            secretInputs: secretBinding(request))
    }

    /// The secret inputs as the plan key binds them; nil for a runbook without any (or no key).
    func secretBinding(_ request: Request) -> String? {
        let secret = request.runbook.inputs.filter(\.secret)
        guard !secret.isEmpty, let key = request.planKey else { return nil }
        return key.bind(Dictionary(uniqueKeysWithValues: secret.map { ($0.name, request.inputs[$0.name] ?? .null) }))
    }

    func perform(_ work: inout StepWork, attempt: Int) async -> StepMachine.Attempt {
        let step = work.step
        guard let command = work.command else { return .init(.couldNotRun(DriverError("internal error: nothing was rendered"))) }
        if step.kind == .action, let lease {
            do { try await lease.verify() } catch { return .init(.leaseLost(redactor.redact("\(error)"))) }
        }
        if attempt == 1 { observer?.stepStarted(step, command: redactor.redact(command.display)) }
        guard let driver = drivers[command.kind] else {
            return .init(.couldNotRun(DriverError(.configuration, "no \(command.kind.rawValue) driver is available in this build")))
        }
        let timeout = step.timeout ?? (step.kind == .check ? Executor.defaultCheckTimeout
            : step.kind == .notify ? Executor.defaultNotifyTimeout : Executor.defaultActionTimeout)
        let context = DriverContext(stepID: step.id, kind: step.kind, timeout: timeout, environment: renderer.environment, redactor: redactor)
        let output: DriverOutput
        do {
            output = try await withDeadline(timeout) { try await driver.execute(command, context: context) }
        } catch is TimeoutError {
            return .init(.timedOut(timeout))
        } catch is CancellationError {
            return .init(.interrupted)
        } catch let error as DriverError {
            return .init(.couldNotRun(DriverError(error.code, redactor.redact(error.message))))
        } catch {
            return .init(.couldNotRun(DriverError(redactor.redact("\(error)"))))
        }
        if Task.isCancelled { return .init(.interrupted) }
        let result = redactor.redact(output.result)
        let excerpt = redactor.redact(output.excerpt)
        guard step.kind == .check else {
            return .init(.performed(succeeded: output.succeeded, failure: output.succeeded ? nil : Executor.failureSummary(output)),
                         result: result, excerpt: excerpt, digest: output.digest)
        }
        var resultScope = work.driverScope
        resultScope["result"] = output.result
        do {
            let colour = try status(of: step, output: output, scope: resultScope)
            var holds = false
            if let retry = step.retry, work.retrying {
                holds = try renderer.evaluate(retry.until, key: "retry.until", step: step, scope: resultScope).isTruthy
                probe?.evaluated(step: step.id, key: "retry.until", held: holds)
            }
            return .init(.checked(colour, untilHolds: holds), result: result, excerpt: excerpt, digest: output.digest)
        } catch {
            return .init(.evaluationFailed(redactor.redact(error.description)), result: result, excerpt: excerpt, digest: output.digest)
        }
    }

    /// Green/yellow/red from thresholds (first that holds wins), else from the driver's own rule.
    func status(of step: Step, output: DriverOutput, scope: ExpressionScope) throws(StepError) -> CheckStatus {
        if !step.thresholds.isEmpty {
            for threshold in step.thresholds {
                let key = "thresholds.\(threshold.status.rawValue)"
                let held = try renderer.evaluate(threshold.condition, key: key, step: step, scope: scope).isTruthy
                probe?.evaluated(step: step.id, key: key, held: held)
                if held { return threshold.status }
            }
            return .green
        }
        if let nagios = output.nagiosStatus { return nagios }
        return output.succeeded ? .green : .red
    }

    static func failureSummary(_ output: DriverOutput) -> String {
        if let failure = output.failure { return failure }
        if let code = output.result["exit_code"]?.number { return "exited with status \(Int(code))" }
        if let status = output.result["status"]?.number { return "HTTP \(Int(status))" }
        return "failed"
    }

    func askTerminal(step: Step, risk: Step.Risk, question: String, display: String) async -> Bool {
        guard let terminal else { return false }
        var prompt = "\n[\(risk.rawValue) risk] \(redactor.redact(question))\n  will run: \(display)\n"
        if risk == .high {
            prompt += "Type the action id (\(step.id)) to proceed, anything else to stop: "
            guard let answer = await terminal.ask(prompt) else { return false }
            return answer.trimmingCharacters(in: .whitespaces) == step.id
        }
        prompt += "Proceed? [y/N] "
        guard let answer = await terminal.ask(prompt) else { return false }
        return ["y", "yes", "s", "sim"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
    }
}
