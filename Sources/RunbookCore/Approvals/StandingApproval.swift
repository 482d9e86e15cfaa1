import Foundation

/// A standing approval (issue 21): two people approve, once, a scheduled runbook's exact file
/// (its SHA-256), the actions it may pass and their bounds, until a date. A scheduled run
/// whose runbook still hashes the same and whose action's values are within the bounds passes
/// that action's four-eyes gate without a request of its own; any edit of the runbook voids it.
///
/// The ledger keeps it as an approval request (`run_id` = ``runID``) whose plan is
/// ``json``: `runbook approve` and `deny` decide on it as on any request, `approvals` lists it,
/// and the decisions are signed over ``digest``. The rules are here, without I/O: what the
/// runner's gate checks before an action and what `audit verify --ledger` checks after.
public struct StandingApproval: Sendable, Hashable {
    /// The `run_id` of a standing approval's request row (no run asked for it).
    public static let runID = "standing"
    /// How many distinct approvers it needs, whatever the policy's number for the risk.
    public static let required = 2

    /// A bound on one value an action reads: an input (`log_days`) or a finding, named by its
    /// last path component (`resolved_dlq` for `steps.cleanup-candidates.result.rows[0].resolved_dlq`)
    /// or its whole path. Applies to each action whose plan has that value; the value must be a
    /// number within it.
    public struct Bound: Sendable, Hashable, CustomStringConvertible {
        /// The value's name.
        public var name: String
        /// `<=` (at most) or `>=` (at least).
        public var atMost: Bool
        /// The limit.
        public var limit: Double

        /// `NAME<=N` or `NAME>=N`; nil when `text` is not that.
        public init?(_ text: String) {
            let op = text.contains("<=") ? "<=" : text.contains(">=") ? ">=" : nil
            guard let op else { return nil }
            let parts = text.components(separatedBy: op)
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            guard parts.count == 2, !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "_-.[]".contains($0) }),
                  let limit = Double(parts[1].trimmingCharacters(in: .whitespaces)), limit.isFinite else { return nil }
            self.name = name
            self.atMost = op == "<="
            self.limit = limit
        }

        public var description: String { "\(name)\(atMost ? "<=" : ">=")\(Value.double(limit).interpolated)" }

        /// Whether `value` is within the bound (a value that is not a number is not).
        public func admits(_ value: Value) -> Bool {
            guard let number = StandingApproval.number(value) else { return false }
            return atMost ? number <= limit : number >= limit
        }
    }

    /// The runbook id.
    public var runbook: String
    /// The environment's name.
    public var environment: String
    /// SHA-256 of the runbook file approved.
    public var runbookSHA256: String
    /// The actions it passes, sorted.
    public var actions: [String]
    /// The bounds, in the order given.
    public var bounds: [Bound]
    /// When it ends, seconds since 1970 (the ledger's clock decides).
    public var until: Int

    /// A standing approval from its parts.
    public init(runbook: String, environment: String, runbookSHA256: String, actions: [String], bounds: [Bound], until: Int) {
        self.runbook = runbook
        self.environment = environment
        self.runbookSHA256 = runbookSHA256
        self.actions = Array(Set(actions)).sorted()
        self.bounds = bounds
        self.until = until
    }

    /// The plan stored in the request row, `{"standing": {...}}`.
    public var json: Value {
        .object([("standing", .object([
            ("version", .int(1)), ("runbook", .string(runbook)), ("environment", .string(environment)), ("runbook_sha256", .string(runbookSHA256)),
            ("actions", .list(actions.map { .string($0) })), ("bounds", .list(bounds.map { .string($0.description) })), ("until", .int(until)),
        ]))])
    }

    /// `sha256:` of ``json`` in canonical form: what the approvers sign.
    public var digest: String { "sha256:" + Hex.sha256(Array(JSON.encode(ApprovalPlan.canonical(json)).utf8)) }

    /// The standing approval a stored plan holds; nil for an ordinary request's plan.
    public init?(json: Value) {
        guard let s = json["standing"], let runbook = s["runbook"]?.stringValue, let environment = s["environment"]?.stringValue,
              let sha = s["runbook_sha256"]?.stringValue, case .list(let actions)? = s["actions"], case .list(let bounds)? = s["bounds"],
              case .int(let until)? = s["until"] else { return nil }
        let parsed = bounds.compactMap { $0.stringValue.flatMap(Bound.init) }
        guard parsed.count == bounds.count else { return nil }
        self.init(runbook: runbook, environment: environment, runbookSHA256: sha, actions: actions.compactMap(\.stringValue), bounds: parsed, until: until)
    }

    /// The values of `plan` each bound reads (an input, or a value the action reads from an
    /// earlier step), by bound: what the gate records and the verifier checks again.
    public func values(in plan: ApprovalPlan) -> [(bound: Bound, path: String, value: Value)] {
        var all: [(String, Value)] = []
        if case .object(let inputs) = plan.inputs { all += inputs.pairs.map { ("inputs.\($0.key)", $0.value) } }
        for f in plan.findings { all += f.values.map { ($0.path, $0.value) } }
        var out: [(Bound, String, Value)] = []
        for bound in bounds {
            for (path, value) in all where path == bound.name || path.hasSuffix("." + bound.name) {
                out.append((bound, path, value))
            }
        }
        return out
    }

    /// Why this standing approval does not cover `plan` of a run whose runbook file hashes
    /// `plan.runbookSHA256`; nil when it does. The approvers and the date are checked by the
    /// caller (``ApprovalTally``, the ledger's clock).
    public func refusal(for plan: ApprovalPlan) -> String? {
        if plan.runbook != runbook || plan.environment != environment {
            return "it is for \(runbook) in \(environment)"
        }
        if plan.runbookSHA256 != runbookSHA256 {
            return "the runbook changed since approval (sha256 \(runbookSHA256.prefix(12))… approved, \(plan.runbookSHA256.prefix(12))… now): voided"
        }
        if !actions.contains(plan.action) {
            return "it does not list '\(plan.action)' (\(actions.joined(separator: ", ")))"
        }
        for (bound, path, value) in values(in: plan) where !bound.admits(value) {
            return "\(path) = \(value.interpolated) is outside the bound \(bound)"
        }
        return nil
    }

    /// The check of a recorded gate (`gate.decision`'s `approval.standing`): the values the
    /// runner read, each within its bound; nil when they are.
    public func refusal(recorded values: [(path: String, value: Value)]) -> String? {
        for (path, value) in values {
            for bound in bounds where path == bound.name || path.hasSuffix("." + bound.name) {
                if !bound.admits(value) { return "\(path) = \(value.interpolated) is outside the bound \(bound)" }
            }
        }
        return nil
    }

    /// Why a standing approval of `actions` of `runbook` until `until` cannot be asked for
    /// (`requirements`: the actions that need approvals in the environment, by id); nil when it
    /// can. Only a scheduled runbook's gated actions, a date still to come, and bounds that name
    /// an input of the runbook or a name its file (`source`) uses: a misspelt bound would bind
    /// nothing.
    public static func refusal(runbook: Runbook, source: String, actions: [String], bounds: [Bound] = [], requirements: [String: Int],
                               until: Int, now: Int) -> String? {
        guard runbook.schedule != nil else { return "\(runbook.id) has no schedule: a standing approval is for the gates of scheduled runs" }
        guard !actions.isEmpty else { return "--actions names no action" }
        for action in actions where requirements[action] == nil {
            let gated = requirements.keys.sorted()
            return "'\(action)' is not an action of \(runbook.id) that needs approval here (those are: \(gated.isEmpty ? "none" : gated.joined(separator: ", ")))"
        }
        guard until > now else { return "--until \(ApprovalRequest.time(until)) is not in the future" }
        let inputs = Set(runbook.inputs.map(\.name))
        for bound in bounds {
            let last = String(bound.name.split(separator: ".").last ?? "")
            if !inputs.contains(bound.name) && !inputs.contains(last) && !source.contains(last) {
                return "--bound \(bound): \(runbook.id) has no input and reads no value named '\(last)'"
            }
        }
        return nil
    }

    /// `--until`: `YYYY-MM-DD` (through the end of that day, UTC) or an ISO 8601 time
    /// (`2027-01-31T12:00:00Z`); nil when it is neither.
    public static func parseUntil(_ text: String) -> Int? {
        let iso = ISO8601DateFormatter()
        if let date = iso.date(from: text) { return Int(date.timeIntervalSince1970) }
        iso.formatOptions = [.withFullDate]
        guard text.count == 10, let day = iso.date(from: text) else { return nil }
        return Int(day.timeIntervalSince1970) + 86_400
    }

    static func number(_ value: Value) -> Double? {
        switch value {
        case .int(let i): Double(i)
        case .double(let d): d
        case .decimal(let d): d.doubleValue
        case .string(let s): Double(s)
        default: nil
        }
    }
}
