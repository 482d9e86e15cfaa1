import Foundation

/// Human output: a line per step as it finishes (with colour on a terminal unless NO_COLOR),
/// the findings of anything not green, and what a dry run would do.
public final class TextReporter: RunObserver, @unchecked Sendable {
    let color: Bool
    let write: @Sendable (String) -> Void
    private let lock = NSLock()

    public init(color: Bool, write: @escaping @Sendable (String) -> Void) {
        self.color = color
        self.write = write
    }

    func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    public func symbol(_ status: String) -> String {
        switch status {
        case "green", "succeeded": paint("✔ \(status)", "32")
        case "yellow": paint("▲ \(status)", "33")
        case "red", "failed", "declined": paint("✖ \(status)", "31")
        case "error": paint("✖ \(status)", "35")
        case "planned": paint("◇ \(status)", "36")
        case "awaiting-approval": paint("⏸ \(status)", "33")
        default: paint("· \(status)", "2")
        }
    }

    public func runStarted(_ report: RunReport) {
        emit(paint("▶ \(report.runbook)", "1") + " — \(report.title)\n  run \(report.runID) · env \(report.environment) · \(report.dryRun ? paint("DRY RUN (checks run for real, actions are only shown)", "36") : paint("LIVE", "1;31"))\n\n")
    }

    public func stepStarted(_ step: Step, command: String?) {
        if let command, command.hasPrefix("retry ") { emit(paint("    … \(step.id): \(command)\n", "2")) }
    }

    public func stepFinished(_ step: StepReport) {
        let status = symbol(step.status.rawValue).padding(toLength: color ? 29 : 20, withPad: " ", startingAt: 0)
        var line = "  \(status) \(step.id)"
        if step.title != step.id { line += paint(" — \(step.title)", "2") }
        if step.status != .skipped { line += paint(" (\(step.durationMs) ms)", "2") }
        line += "\n"
        if let m = step.message, step.status != .green { line += "      \(m)\n" }
        let informational = step.status == .green && step.informational
        if [.yellow, .red, .error, .failed].contains(step.status) || informational, let detail = Self.detail(step) {
            line += detail.split(separator: "\n", omittingEmptySubsequences: false).prefix(12).map { "      │ \($0)" }.joined(separator: "\n") + "\n"
        }
        if step.kind == .notify, step.status == .planned || step.status == .succeeded, let message = step.result["message"]?.stringValue {
            line += message.split(separator: "\n", omittingEmptySubsequences: false).map { "      │ \($0)" }.joined(separator: "\n") + "\n"
        }
        emit(line)
    }

    public func runFinished(_ report: RunReport) {
        var out = "\n"
        let counts = Dictionary(grouping: report.steps, by: \.status.rawValue).map { "\($0.value.count) \($0.key)" }.sorted().joined(separator: ", ")
        out += "  result: \(symbol(report.status.rawValue)) · \(counts.isEmpty ? "no steps" : counts) · \(report.durationMs) ms · exit \(report.exitCode)\n"
        if let m = report.message { out += "  \(m)\n" }
        emit(out)
    }

    /// The most telling part of a result: rows for SQL, output for shell, body for HTTP.
    static func detail(_ step: StepReport) -> String? {
        if case .list(let rows) = step.result["rows"] ?? .null, !rows.isEmpty {
            return rows.prefix(10).map { row in
                row.objectValue.map { $0.pairs.map { "\($0.key)=\($0.value.interpolated)" }.joined(separator: "  ") } ?? row.interpolated
            }.joined(separator: "\n")
        }
        if let excerpt = step.excerpt, !excerpt.isEmpty { return excerpt }
        return nil
    }

    func emit(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        write(text)
    }
}
