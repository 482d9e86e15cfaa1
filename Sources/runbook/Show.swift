import ArgumentParser
import Foundation
import RunbookCore

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a runbook: title, inputs and steps.")

    @OptionGroup var home: HomeOptions

    @Argument(help: "The runbook id (its file name in runbooks/).")
    var id: String

    func run() throws {
        let runbook = try loadRunbookOrExit(id, loader: home.loader)
        print("\(runbook.id): \(runbook.title)")
        var meta: [String] = []
        if let s = runbook.severity { meta.append("severity \(s)") }
        if let o = runbook.owner { meta.append("owner \(o)") }
        meta.append(runbook.path)
        print("  " + meta.joined(separator: " · "))
        if let d = runbook.description { print("\n" + d.split(separator: "\n", omittingEmptySubsequences: false).map { "  \($0)" }.joined(separator: "\n")) }
        if !runbook.inputs.isEmpty {
            print("\nInputs:")
            for input in runbook.inputs {
                var line = "  \(input.name): \(input.kind.rawValue)"
                if input.kind == .enum { line += " (\(input.values.joined(separator: "|")))" }
                if let d = input.defaultValue { line += " = \(d.interpolated)" } else if input.required { line += " (required)" }
                if let desc = input.description { line += " — \(desc)" }
                print(line)
            }
        }
        print("\nSteps:")
        for (n, step) in runbook.steps.enumerated() {
            var line = "  \(n + 1). \(step.kind.rawValue) \(step.id)"
            if step.title != nil { line += " — \(step.displayTitle)" }
            print(line)
            var details: [String] = ["\(step.driver.name)"]
            if let use = step.use { details.append("uses checks/\(use.checkID)") }
            if let same = step.sameAs { details.append("same as \(same)") }
            if let when = step.when { details.append("when \(when.value.source)") }
            if step.kind == .action { details.append("risk \(step.risk.rawValue)") }
            if let retry = step.retry { details.append("retry until \(retry.until.value.source) every \(DurationText.format(retry.every)) for \(DurationText.format(retry.total))") }
            if !step.thresholds.isEmpty { details.append("thresholds " + step.thresholds.map { "\($0.status.rawValue): \($0.condition.value.source)" }.joined(separator: "; ")) }
            print("     " + details.joined(separator: " · "))
        }
    }
}
