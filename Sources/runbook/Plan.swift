import ArgumentParser
import Foundation
import RunbookCore
import RunbookRunner

struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print every step with its fully rendered command. Nothing runs.")

    @OptionGroup var home: HomeOptions

    @Argument(help: "The runbook id.")
    var id: String

    @Option(name: .customLong("env"), help: "Environment name (environments/NAME.yaml).")
    var environment: String = "sandbox"

    @Option(name: .customLong("input"), help: "An input value, NAME=VALUE (repeatable).")
    var inputs: [String] = []

    func run() async throws {
        let runbook = try loadRunbookOrExit(id, loader: home.loader)
        let values = try resolveInputs(inputs, runbook: runbook)
        let env = try resolveEnvironment(name: environment, runbook: runbook, home: home.home, required: false)
        let redactor = Redactor(secrets: env.secrets + runbook.inputs.filter(\.secret).compactMap { values[$0.name]?.interpolated })
        let escalation = try? Escalation.load(home: home.home)
        var request = Executor.Request(runbook: runbook, environment: env, inputs: values, mode: .plan, operatorName: operatorName(nil),
                                       host: ProcessInfo.processInfo.hostName)
        request.escalation = escalation ?? nil
        // The same executor and step machine as a run, asked to render only.
        let report = await Executor.plan(request, renderer: CommandRenderer(environment: env, home: home.home), redactor: redactor)

        print("Plan for \(runbook.id) — \(runbook.title)  (env \(env.name); nothing is run)")
        if !values.isEmpty {
            print("inputs: " + values.keys.sorted().map { "\($0)=\(redactor.redact(values[$0]!.interpolated))" }.joined(separator: ", "))
        }
        print("")
        for (n, (step, planned)) in zip(runbook.steps, report.steps).enumerated() {
            var header = "\(n + 1). \(step.kind.rawValue.uppercased()) \(step.id)"
            if step.title != nil { header += " — \(step.displayTitle)" }
            print(header)
            switch step.kind {
            case .check: print("   runs in dry run and live (read-only\(step.driver.kind == .shell ? ", trusted: a shell check is assumed read-only" : ""))")
            case .action: print("   gate: risk \(step.risk.rawValue) — \(step.risk == .high ? "type the action id, or --approve \(step.id)" : "y/N, --yes or --approve \(step.id)"); never runs in a dry run")
            case .notify: print("   delivered in a live run; shown in a dry run")
            }
            if let when = step.when { print("   when: \(when.value.source)") }
            if planned.status == .planned, let command = planned.command {
                if step.kind == .notify, let message = planned.result["message"]?.stringValue {
                    print("   \(TextReporter.escape(command))")
                    print(message.split(separator: "\n", omittingEmptySubsequences: false).prefix(6).map { "     │ \(TextReporter.escape(String($0)))" }.joined(separator: "\n"))
                } else {
                    print("   $ \(TextReporter.escape(command))")
                }
            } else {
                print("   $ (rendered at run time: \(TextReporter.escape(planned.message ?? "needs the results of earlier steps")))")
            }
            if let confirm = step.confirm { print("   confirm: \(redactor.redact((try? confirm.value.render(in: RunScope(request: request, startedAt: report.startedAt).expressionScope())) ?? confirm.value.source))") }
            if !step.thresholds.isEmpty { print("   thresholds: " + step.thresholds.map { "\($0.status.rawValue) if \($0.condition.value.source)" }.joined(separator: "; ")) }
            if let retry = step.retry { print("   retry: until \(retry.until.value.source), every \(DurationText.format(retry.every)), for \(DurationText.format(retry.total))") }
            print("")
        }
    }
}
