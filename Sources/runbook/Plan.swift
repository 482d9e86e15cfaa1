import ArgumentParser
import Foundation
import RunbookCore

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every step with its fully rendered command. Nothing runs.")

    @OptionGroup var home: HomeOptions

    @Argument(help: "The runbook id.")
    var id: String

    @Option(name: .customLong("env"), help: "Environment name (environments/NAME.yaml).")
    var environment: String = "sandbox"

    @Option(name: .customLong("input"), help: "An input value, NAME=VALUE (repeatable).")
    var inputs: [String] = []

    func run() throws {
        let runbook = try loadRunbookOrExit(id, loader: home.loader)
        let values = try resolveInputs(inputs, runbook: runbook)
        let env = try resolveEnvironment(name: environment, runbook: runbook, home: home.home, required: false)
        let redactor = Redactor(secrets: env.secrets + runbook.inputs.filter(\.secret).compactMap { values[$0.name]?.interpolated })
        let renderer = CommandRenderer(environment: env, home: home.home)
        print("Plan for \(runbook.id) — \(runbook.title)  (env \(env.name); nothing is run)")
        if !values.isEmpty {
            print("inputs: " + values.keys.sorted().map { "\($0)=\(redactor.redact(values[$0]!.interpolated))" }.joined(separator: ", "))
        }
        print("")
        // Earlier steps' results are not known before a run: references to them show as placeholders.
        var steps = ValueObject()
        for step in runbook.steps {
            steps[step.id] = .object([("status", .string("<\(step.id).status>")), ("result", .null), ("duration_ms", 0), ("error", .null), ("attempts", 0), ("kind", .string(step.kind.rawValue))])
        }
        let scope = ExpressionScope(["inputs": .object(ValueObject(values)), "env": env.values, "steps": .object(steps),
                                     "run": .object([("id", "<run id>"), ("runbook", .string(runbook.id)), ("title", .string(runbook.title)),
                                                     ("severity", .string(runbook.severity ?? "")), ("owner", .string(runbook.owner ?? "")),
                                                     ("description", .string(runbook.description ?? "")), ("environment", .string(env.name)),
                                                     ("mode", "<mode>"), ("operator", "<operator>"), ("host", "<host>"), ("started_at", "<start time>"),
                                                     ("now", "<now>"), ("elapsed_minutes", 0), ("status", "<status>"),
                                                     ("findings", "<findings of the checks>"), ("actions", "<actions taken>")])])
        for (n, step) in runbook.steps.enumerated() {
            var header = "\(n + 1). \(step.kind.rawValue.uppercased()) \(step.id)"
            if step.title != nil { header += " — \(step.displayTitle)" }
            print(header)
            switch step.kind {
            case .check: print("   runs in dry run and live (read-only\(step.driver.name == "shell" ? ", trusted: a shell check is assumed read-only" : ""))")
            case .action: print("   gate: risk \(step.risk.rawValue) — \(step.risk == .high ? "type the action id, or --approve \(step.id)" : "y/N, --yes or --approve \(step.id)"); never runs in a dry run")
            case .notify: print("   delivered in a live run; shown in a dry run")
            }
            if let when = step.when { print("   when: \(when.value.source)") }
            do {
                let driverScope = try renderer.driverScope(for: step, runbookScope: scope)
                let command = try renderer.render(step, scope: driverScope)
                if case .notify(let n) = command {
                    print("   \(redactor.redact(command.display))")
                    print(n.message.split(separator: "\n", omittingEmptySubsequences: false).prefix(6).map { "     │ \(redactor.redact(String($0)))" }.joined(separator: "\n"))
                } else {
                    print("   $ \(redactor.redact(command.display))")
                }
            } catch {
                print("   $ (rendered at run time: \(redactor.redact(error.message)))")
            }
            if let confirm = step.confirm { print("   confirm: \(redactor.redact((try? renderer.render(confirm, key: "confirm", step: step, scope: scope)) ?? confirm.value.source))") }
            if !step.thresholds.isEmpty { print("   thresholds: " + step.thresholds.map { "\($0.status.rawValue) if \($0.condition.value.source)" }.joined(separator: "; ")) }
            if let retry = step.retry { print("   retry: until \(retry.until.value.source), every \(DurationText.format(retry.every)), for \(DurationText.format(retry.total))") }
            print("")
        }
    }
}

extension CommandRenderer {
    func render(_ t: Located<Template>, key: String, step: Step, scope: ExpressionScope) throws -> String {
        try t.value.render(in: scope)
    }
}
