import Foundation

extension Executor {
    static let defaultCheckTimeout = Duration.seconds(60)
    static let defaultActionTimeout = Duration.seconds(600)
    static let auditExcerptLimit = 2000

    /// Runs one step to its outcome. Throws only `AuditError` (the run must stop).
    func runStep(_ step: Step, scope: ExpressionScope, state: RunState, request: Request) async throws -> StepOutcome {
        let clock = ContinuousClock()
        let t0 = clock.now
        func elapsed() -> Int { Int((clock.now - t0).milliseconds) }
        var report = StepReport(id: step.id, kind: step.kind, title: step.displayTitle, status: "skipped")
        report.supersedes = step.sameAs
        if case .sql = step.driver, step.kind == .check, step.thresholds.isEmpty { report.informational = true }

        // when
        var holds = true
        if let when = step.when {
            do {
                holds = try renderer.evaluate(when, key: "when", step: step, scope: scope).isTruthy
            } catch {
                report.status = step.kind == .check ? "error" : "failed"
                report.message = error.description
                try record(step, report, request: request)
                return StepOutcome(report: report, flow: step.kind == .check ? .proceed : .stopFailed(error.description))
            }
        }
        let decision = Planner.decide(kind: step.kind, id: step.id, risk: step.risk, when: holds, mode: request.mode)
        if case .skip(let reason) = decision {
            report.message = reason
            try audit.append(event: "step.skipped", runID: request.runID, fields: [("step", .string(step.id)), ("reason", .string(reason))], sync: false)
            return StepOutcome(report: report, flow: .proceed)
        }

        // render
        let driverScope: ExpressionScope
        let command: RenderedCommand
        do {
            driverScope = try renderer.driverScope(for: step, runbookScope: scope)
            command = try renderer.render(step, scope: driverScope)
        } catch {
            report.status = step.kind == .check ? "error" : "failed"
            report.message = redactor.redact(error.description)
            report.durationMs = elapsed()
            try record(step, report, request: request)
            return StepOutcome(report: report, flow: step.kind == .check ? .proceed : .stopFailed(report.message ?? ""))
        }
        let display = redactor.redact(command.display)
        report.command = display

        switch decision {
        case .preview:
            report.status = "planned"
            report.message = redactor.redact(command.wouldDo)
            if case .notify(let n) = command { report.result = .object([("message", .string(redactor.redact(n.message)))]) }
            try audit.append(event: "step.planned", runID: request.runID, fields: [
                ("step", .string(step.id)), ("kind", .string(step.kind.rawValue)), ("command", redactor.redact(command.auditValue)),
            ], sync: false)
            return StepOutcome(report: report, flow: .proceed)
        case .blocked(let hint):
            report.status = "awaiting-approval"
            report.message = hint
            try audit.append(event: "gate.decision", runID: request.runID, fields: [
                ("step", .string(step.id)), ("risk", .string(step.risk.rawValue)), ("decision", "awaiting-approval"),
                ("by", .string(request.operatorName)), ("how", "none"), ("command", redactor.redact(command.auditValue)),
            ], sync: true)
            return StepOutcome(report: report, flow: .stopAtGate("stopped at the gate of '\(step.id)': \(hint)"))
        case .ask(let risk):
            let question = confirmText(step, scope: scope) ?? "Run action '\(step.id)'?"
            let approved = await askTerminal(step: step, risk: risk, question: question, display: display)
            try audit.append(event: "gate.decision", runID: request.runID, fields: [
                ("step", .string(step.id)), ("risk", .string(risk.rawValue)), ("decision", approved ? "approved" : "declined"),
                ("by", .string(request.operatorName)), ("how", "terminal"), ("question", .string(redactor.redact(question))),
                ("command", redactor.redact(command.auditValue)),
            ], sync: true)
            if !approved {
                report.status = "declined"
                report.message = "declined at the terminal"
                return StepOutcome(report: report, flow: .stopAtGate("'\(step.id)' was declined; nothing after it ran"))
            }
        case .approved(let how):
            try audit.append(event: "gate.decision", runID: request.runID, fields: [
                ("step", .string(step.id)), ("risk", .string(step.risk.rawValue)), ("decision", "approved"),
                ("by", .string(request.operatorName)), ("how", .string(how)), ("command", redactor.redact(command.auditValue)),
            ], sync: true)
        case .execute, .skip:
            break
        }

        // perform (checks, approved actions, live notify)
        observer?.stepStarted(step, command: display)
        let isCheck = step.kind == .check
        try audit.append(event: "step.started", runID: request.runID, fields: [
            ("step", .string(step.id)), ("kind", .string(step.kind.rawValue)), ("command", redactor.redact(command.auditValue)),
        ], sync: !isCheck)
        guard let driver = drivers[command.driverName] else {
            report.status = isCheck ? "error" : "failed"
            report.message = "no \(command.driverName) driver is available in this build"
            report.durationMs = elapsed()
            try record(step, report, request: request)
            return StepOutcome(report: report, flow: isCheck ? .proceed : .stopFailed(report.message!))
        }
        let timeout = step.timeout ?? (isCheck ? Executor.defaultCheckTimeout : (step.kind == .notify ? .seconds(30) : Executor.defaultActionTimeout))
        let context = DriverContext(stepID: step.id, kind: step.kind, timeout: timeout, environment: request.environment, redactor: redactor)
        let retry = (isCheck && !request.mode.dryRun) ? step.retry : nil
        let deadline = retry.map { clock.now + $0.total }
        var attempts = 0
        var digest = ""
        /// Ctrl-C (or SIGTERM) during the step: recorded, and the run stops.
        func interrupted(_ attempts: Int) throws(AuditError) -> StepOutcome {
            report.status = isCheck ? "error" : "failed"
            report.message = "interrupted"
            report.attempts = attempts
            report.durationMs = elapsed()
            try record(step, report, request: request)
            return StepOutcome(report: report, flow: .interrupted)
        }
        while true {
            attempts += 1
            var output: DriverOutput?
            do {
                output = try await withDeadline(timeout) { try await driver.execute(command, context: context) }
            } catch is TimeoutError {
                report.status = isCheck ? (step.unreachable?.rawValue ?? "error") : "failed"
                report.message = "timed out after \(DurationText.format(timeout)); stopped"
                report.result = .null
            } catch is CancellationError {
                return try interrupted(attempts)
            } catch {
                report.status = isCheck ? (step.unreachable?.rawValue ?? "error") : "failed"
                report.message = redactor.redact("\(error)")
                report.result = .null
            }
            if Task.isCancelled { return try interrupted(attempts) }
            var untilHolds = false
            if let output {
                report.result = redactor.redact(output.result)
                report.excerpt = redactor.redact(output.excerpt)
                report.message = nil
                digest = output.digest
                if isCheck {
                    var resultScope = driverScope
                    resultScope["result"] = output.result
                    do {
                        report.status = try status(of: step, output: output, scope: resultScope).rawValue
                        if let retry {
                            untilHolds = try renderer.evaluate(retry.until, key: "retry.until", step: step, scope: resultScope).isTruthy
                        }
                    } catch {
                        report.status = "error"
                        report.message = error.description
                    }
                } else {
                    report.status = output.succeeded ? "succeeded" : "failed"
                    if !output.succeeded { report.message = failureSummary(output) }
                }
            }
            guard let retry, let deadline else { break }
            if untilHolds { break }
            if clock.now + retry.every > deadline {
                report.message = "gave up after \(attempts) attempt\(attempts == 1 ? "" : "s") in \(DurationText.format(retry.total)): '\(retry.until.value.source)' never held"
                if let s = CheckStatus(rawValue: report.status), s < .red { report.status = CheckStatus.red.rawValue }
                break
            }
            observer?.stepStarted(step, command: "retry \(attempts + 1): waiting \(DurationText.format(retry.every)) for \(retry.until.value.source)")
            do { try await Task.sleep(for: retry.every) } catch { return try interrupted(attempts) }
        }
        report.attempts = attempts
        report.durationMs = elapsed()
        try record(step, report, request: request, digest: digest)
        if step.kind != .check, report.status == "failed", !step.continueOnFailure {
            return StepOutcome(report: report, flow: .stopFailed("action '\(step.id)' failed: \(report.message ?? "")"))
        }
        return StepOutcome(report: report, flow: .proceed)
    }

    /// Green/yellow/red from thresholds (first that holds wins), else from the driver's own rule.
    func status(of step: Step, output: DriverOutput, scope: ExpressionScope) throws(StepError) -> CheckStatus {
        if !step.thresholds.isEmpty {
            for threshold in step.thresholds {
                if try renderer.evaluate(threshold.condition, key: "thresholds.\(threshold.status.rawValue)", step: step, scope: scope).isTruthy {
                    return threshold.status
                }
            }
            return .green
        }
        if let nagios = output.nagiosStatus { return nagios }
        return output.succeeded ? .green : .red
    }

    func failureSummary(_ output: DriverOutput) -> String {
        if let code = output.result["exit_code"]?.number { return "exited with status \(Int(code))" }
        if let status = output.result["status"]?.number { return "HTTP \(Int(status))" }
        return "failed"
    }

    func confirmText(_ step: Step, scope: ExpressionScope) -> String? {
        guard let confirm = step.confirm else { return nil }
        return try? renderer.render(confirm, key: "confirm", step: step, scope: scope)
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

    /// Appends `step.ended` (synced for actions).
    func record(_ step: Step, _ report: StepReport, request: Request, digest: String = "") throws(AuditError) {
        var excerpt = report.excerpt ?? ""
        if excerpt.count > Executor.auditExcerptLimit { excerpt = String(excerpt.prefix(Executor.auditExcerptLimit)) + "…[truncated]" }
        try audit.append(event: "step.ended", runID: request.runID, fields: [
            ("step", .string(step.id)), ("kind", .string(step.kind.rawValue)), ("status", .string(report.status)),
            ("duration_ms", .int(report.durationMs)), ("attempts", .int(report.attempts)),
            ("output_sha256", digest.isEmpty ? .null : .string(digest)), ("excerpt", .string(excerpt)),
            ("message", report.message.map { .string(redactor.redact($0)) } ?? .null),
        ], sync: step.kind != .check)
    }
}

extension RenderedCommand {
    var driverName: String {
        switch self {
        case .shell: "shell"
        case .sql: "sql"
        case .http: "http"
        case .notify: "notify"
        }
    }
}
