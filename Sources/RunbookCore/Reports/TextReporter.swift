import Foundation
import Synchronization

/// Human output: a line per step as it finishes (with colour on a terminal unless NO_COLOR),
/// the findings of anything not green, and what a dry run would do.
///
/// Everything that comes from outside (titles, inputs, rows, command output, messages) is
/// shown with its control characters escaped (`\e`, `\r`, `\u{202E}`...), so no output can
/// colour the terminal, move the cursor or overwrite a line; its line breaks become lines of
/// the `│` gutter, indented under the step, so no output can pass for a step line (`✔ green`).
public final class TextReporter: RunObserver, Sendable {
    let color: Bool
    let write: @Sendable (String) -> Void
    /// Held while a line is written, so concurrent steps never interleave within one.
    private let writing = Mutex(())

    public init(color: Bool, write: @escaping @Sendable (String) -> Void) {
        self.color = color
        self.write = write
    }

    func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    public func symbol(_ status: String) -> String {
        let style = StatusStyle(status)
        return paint("\(style.glyph) \(status)", style.ansi)
    }

    public func runStarted(_ report: RunReport) {
        emit(paint("▶ \(Self.escape(report.runbook))", "1") + " — \(Self.escape(report.title))\n  run \(report.runID) · env \(Self.escape(report.environment)) · \(report.dryRun ? paint("DRY RUN (checks run for real, actions are only shown)", "36") : paint("LIVE", "1;31"))\n\n")
    }

    public func stepStarted(_ step: Step, command: String?) {
        if let command, command.hasPrefix("retry ") { emit(paint("    … \(step.id): \(Self.escape(command))\n", "2")) }
    }

    public func stepFinished(_ step: StepReport) {
        let status = symbol(step.status.rawValue).padding(toLength: color ? 29 : 20, withPad: " ", startingAt: 0)
        var line = "  \(status) \(Self.escape(step.id))"
        if step.title != step.id { line += paint(" — \(Self.escape(step.title))", "2") }
        if step.status != .skipped { line += paint(" (\(step.durationMs) ms)", "2") }
        line += "\n"
        if let m = step.message, step.status != .green {
            let lines = Self.lines(m)
            line += "      \(lines[0])\n" + lines.dropFirst().map { Self.gutter + $0 + "\n" }.joined()
        }
        let informational = step.status == .green && step.informational
        if [.yellow, .red, .error, .failed].contains(step.status) || informational, let detail = Self.detail(step) {
            line += Self.lines(detail).prefix(12).map { Self.gutter + $0 + "\n" }.joined()
        }
        if step.kind == .notify, step.status == .planned || step.status == .succeeded, let message = step.result["message"]?.stringValue {
            line += Self.lines(message).map { Self.gutter + $0 + "\n" }.joined()
        }
        emit(line)
    }

    public func runFinished(_ report: RunReport) {
        var out = "\n"
        let counts = Dictionary(grouping: report.steps, by: \.status.rawValue).map { "\($0.value.count) \($0.key)" }.sorted().joined(separator: ", ")
        out += "  result: \(symbol(report.status.rawValue)) · \(counts.isEmpty ? "no steps" : counts) · \(report.durationMs) ms · exit \(report.exitCode)\n"
        if let m = report.message {
            let lines = Self.lines(m)
            out += "  \(lines[0])\n" + lines.dropFirst().map { Self.gutter + $0 + "\n" }.joined()
        }
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

    /// The prefix of every line of a multi-line excerpt: indented under the step, with a gutter.
    static let gutter = "      │ "

    /// The lines of a text, each escaped; never empty (an empty text is one empty line).
    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { escape(String($0)) }
    }

    /// `text` with every control character a terminal would act on written out instead:
    /// `\e` for ESC, `\r`, `\n`, `\b`, `\u{7F}`, C1 controls, line and paragraph separators and
    /// bidirectional overrides as `\u{...}`. A tab is kept (it moves the cursor only forward).
    public static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                out.append(scalar)
                continue
            }
            let written: String
            switch scalar {
            case "\u{1B}": written = "\\e"
            case "\r": written = "\\r"
            case "\n": written = "\\n"
            case "\u{08}": written = "\\b"
            default: written = "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
            out.append(contentsOf: written.unicodeScalars)
        }
        return String(out)
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09: false
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x2028, 0x2029, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C: true
        default: false
        }
    }

    func emit(_ text: String) {
        writing.withLock { _ in write(text) }
    }
}
