/// One step of a runbook: a read-only `check`, a gated `action`, or a `notify`.
public struct Step: Sendable {
    /// `check` (read-only diagnostic, runs in a dry run), `action` (changes the world: gated,
    /// never run by a dry run) or `notify` (a message from a template; only shown in a dry run).
    public enum Kind: String, Sendable, Hashable { case check, action, notify }
    /// An action's `risk:`: `low` and `medium` ask y/N and pass with `--yes`; `high` asks to type
    /// the action id and passes only with `--approve ID`.
    public enum Risk: String, Sendable, Hashable, CaseIterable { case low, medium, high }

    /// The step id (`check: error-rate`), unique within the runbook; `steps.<id>` in expressions.
    public var id: String
    /// Which key introduced the step: `check:`, `action:` or `notify:`.
    public var kind: Kind
    /// `title:`; nil shows the id (see ``displayTitle``).
    public var title: String?
    /// `description:`, free text for `runbook show`.
    public var description: String?
    /// `when:`: the step is considered only when this is truthy, else it is `skipped`; nil: no
    /// condition.
    public var when: Located<Expression>?
    /// What the step runs (shell, SQL, HTTP or a notify template), before templating.
    public var driver: DriverSpec
    /// Ordered: the first that holds wins; none holding means green.
    public var thresholds: [Threshold]
    /// `retry:` of a check: repeat it until its condition holds (a dry run tries once); nil: one
    /// attempt.
    public var retry: RetrySpec?
    /// `timeout:`; nil takes the default of the kind (check 60s, notify 30s, action 10m). Past it
    /// the step is stopped and is `error` (a check; or its `unreachable:` colour) or `failed`.
    public var timeout: Duration?
    /// `risk:` of an action (default `medium`); checks and notify steps have no gate.
    public var risk: Risk
    /// `confirm:`, the question asked at an action's gate (required for actions); may
    /// interpolate `${{ }}`.
    public var confirm: Located<Template>?
    /// Set when the step came from `checks/<id>.yaml` through `use:`.
    public var use: UsedCheck?
    /// `same-as:` the id of the earlier step it repeats.
    public var sameAs: String?
    /// Keep going after this step fails (an action's failure otherwise stops the run).
    public var continueOnFailure: Bool
    /// `unreachable: red`: a check that cannot reach its target (connection refused, timeout)
    /// is this colour instead of `error` — for probes whose failure to connect is the finding.
    public var unreachable: CheckStatus?
    /// Where the step starts in its file, for diagnostics.
    public var location: SourceLocation

    /// A step with defaults: no thresholds, `risk: medium`, stop on failure.
    public init(id: String, kind: Kind, driver: DriverSpec, location: SourceLocation) {
        self.id = id
        self.kind = kind
        self.driver = driver
        self.location = location
        self.thresholds = []
        self.risk = .medium
        self.continueOnFailure = false
    }

    /// The title, or the id when there is none: what reports show.
    public var displayTitle: String { title ?? id }
}

/// A value with the place in the file it came from.
public struct Located<T: Sendable>: Sendable {
    /// The value.
    public var value: T
    /// Where it starts in its file (`path:line:col`).
    public var location: SourceLocation
    /// `value`, read at `location`.
    public init(_ value: T, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

/// `thresholds: {red: expr, yellow: expr}`.
public struct Threshold: Sendable {
    /// The colour given when the condition holds (`red`, `yellow` or `green`).
    public var status: CheckStatus
    /// The expression, evaluated with `result` bound to the step's result.
    public var condition: Located<Expression>
    /// A threshold.
    public init(status: CheckStatus, condition: Located<Expression>) {
        self.status = status
        self.condition = condition
    }
}

/// `retry: {until: expr, every: 10s, for: 5m}`: repeat a check until the condition holds.
public struct RetrySpec: Sendable {
    /// The condition that ends the retries, evaluated with `result` after each attempt.
    public var until: Located<Expression>
    /// `every:`, the pause between attempts (default 10s).
    public var every: Duration
    /// `for:`, how long to keep trying from the step's start (default 5m); then the check gives up
    /// red.
    public var total: Duration
    /// A retry.
    public init(until: Located<Expression>, every: Duration, total: Duration) {
        self.until = until
        self.every = every
        self.total = total
    }
}

/// A reusable check applied by `use:`; its own expressions see its own `inputs`, bound by `with:`.
public struct UsedCheck: Sendable {
    /// The reusable check's id: `use: top-errors` reads `checks/top-errors.yaml`.
    public var checkID: String
    /// The check file's path, for diagnostics.
    public var path: String
    /// The check's own declared inputs.
    public var inputs: [InputSpec]
    /// `with:`: input name to an expression evaluated in the runbook's scope. Inputs not bound
    /// take their defaults.
    public var bindings: [String: Located<Expression>]
    /// A use of check `checkID`.
    public init(checkID: String, path: String, inputs: [InputSpec], bindings: [String: Located<Expression>]) {
        self.checkID = checkID
        self.path = path
        self.inputs = inputs
        self.bindings = bindings
    }
}

/// The status of a check: its colour, or `error` when it could not run.
public enum CheckStatus: String, Sendable, Hashable, CaseIterable, Comparable {
    /// From best to worst: `green` (fine), `yellow` (look), `red` (a problem), `error` (could not
    /// run).
    case green, yellow, red, error

    var rank: Int {
        switch self {
        case .green: 0
        case .yellow: 1
        case .red: 2
        case .error: 3
        }
    }

    /// Worse is greater: green < yellow < red < error, so `max()` is the worst.
    public static func < (a: CheckStatus, b: CheckStatus) -> Bool { a.rank < b.rank }
}
