import Foundation
import Synchronization

/// The driver `runbook test` registers for every kind: it answers each step from the case's
/// fixtures, in the shape the real driver gives (`rows`/`row_count`, `status`/`body`/`json`,
/// `exit_code`/`stdout`/`stderr`/`json`), so thresholds, `when` and templates read the same
/// result they read in a real run. It performs nothing. A check with no fixture fails the case;
/// an action or notify step with none succeeds with an empty answer.
public final class FixtureDriver: StepDriver {
    /// What went wrong with the fixtures themselves (a check without one, a fixture of the
    /// wrong kind), by step: the case fails naming them.
    public struct Problem: Sendable, Hashable {
        /// The step.
        public var step: String
        /// What is wrong.
        public var message: String
    }

    private let fixtures: [String: Fixture]
    private let state = Mutex(State())

    private struct State {
        var attempts: [String: Int] = [:]
        var problems: [Problem] = []
        var messages: [String: String] = [:]
    }

    /// A driver answering from `fixtures`, by step id.
    public init(fixtures: [String: Fixture]) { self.fixtures = fixtures }

    /// The problems met so far.
    public var problems: [Problem] { state.withLock { $0.problems } }

    /// The rendered message of each notify step performed (a live case), by step id.
    public var messages: [String: String] { state.withLock { $0.messages } }

    public func execute(_ command: RenderedCommand, context: DriverContext) async throws -> DriverOutput {
        let number = state.withLock { s -> Int in
            s.attempts[context.stepID, default: 0] += 1
            if case .notify(let n) = command { s.messages[context.stepID] = n.message }
            return s.attempts[context.stepID]!
        }
        guard let fixture = fixtures[context.stepID] else {
            if context.kind == .check {
                return try fail(context.stepID, "check '\(context.stepID)' ran, but the case has no fixture for it (\(command.kind.rawValue): what it sees)")
            }
            return Self.output(.empty, kind: command.kind)
        }
        var nagios = false
        if case .shell(let s) = command { nagios = s.nagios }
        let attempt = fixture.attempt(number)
        if let kind = attempt.kind, kind != command.kind {
            return try fail(context.stepID, "the fixture of '\(context.stepID)' (\(fixture.location)) is a \(kind.rawValue) answer, but the step runs \(command.kind.rawValue)")
        }
        if case .failure(let code, let message) = attempt { throw DriverError(code, message) }
        return Self.output(attempt, kind: command.kind, nagios: nagios)
    }

    private func fail(_ step: String, _ message: String) throws -> DriverOutput {
        state.withLock { $0.problems.append(Problem(step: step, message: message)) }
        throw DriverError(.failed, message)
    }

    /// The driver's output for one attempt, shaped as the real driver of `kind` shapes it.
    static func output(_ attempt: FixtureAttempt, kind: DriverKind, nagios: Bool = false) -> DriverOutput {
        switch attempt {
        case .rows(let rows, let count):
            let result = Value.object([("rows", .list(rows)), ("row_count", .int(count ?? rows.count)), ("truncated", .bool(false)),
                                       ("columns", .list(Self.columns(rows))), ("command", .string("SELECT \(count ?? rows.count)")),
                                       ("elapsed_ms", .int(0))])
            return DriverOutput(result: result, succeeded: true, excerpt: rows.map { JSON.encode($0) }.joined(separator: "\n"), digest: "fixture")
        case .http(let status, let body, let json, let headers):
            let result = Value.object([("status", .int(status)), ("headers", .object(headers)), ("body", .string(body)), ("json", json),
                                       ("truncated", .bool(false)), ("url", .string("fixture")), ("elapsed_ms", .int(0))])
            return DriverOutput(result: result, succeeded: (200..<300).contains(status), excerpt: "HTTP \(status)\n\(body)", digest: "fixture")
        case .shell(let exitCode, let stdout, let stderr):
            let text = stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let json = text.first == "{" || text.first == "[" ? ((try? JSON.parse(text)) ?? .null) : .null
            let result = Value.object([("exit_code", .int(exitCode)), ("stdout", .string(stdout)), ("stderr", .string(stderr)),
                                       ("stdout_truncated", .bool(false)), ("stderr_truncated", .bool(false)), ("signal", .null),
                                       ("elapsed_ms", .int(0)), ("json", json)])
            return DriverOutput(result: result, succeeded: exitCode == 0, nagiosStatus: nagios ? CheckStatus.nagios(exitCode: exitCode) : nil, excerpt: stdout + (stderr.isEmpty ? "" : "\nstderr: \(stderr)"), digest: "fixture")
        case .failure(let code, let message):
            return DriverOutput(result: .null, succeeded: false, excerpt: "\(code): \(message)", digest: "fixture")
        case .empty:
            switch kind {
            case .sql: return output(.rows([], rowCount: 0), kind: kind)
            case .http: return output(.http(status: 200, body: "", json: .null, headers: ValueObject()), kind: kind)
            case .shell: return output(.shell(exitCode: 0, stdout: "", stderr: ""), kind: kind)
            case .notify:
                return DriverOutput(result: .object([("deliveries", .list([]))]), succeeded: true, excerpt: "delivered (fixture)", digest: "fixture")
            }
        }
    }

    static func columns(_ rows: [Value]) -> [Value] {
        guard case .object(let first)? = rows.first else { return [] }
        return first.pairs.map { .string($0.key) }
    }
}
