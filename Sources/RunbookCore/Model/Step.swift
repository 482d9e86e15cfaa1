/// One step of a runbook: a read-only `check`, a gated `action`, or a `notify`.
public struct Step: Sendable {
    public enum Kind: String, Sendable, Hashable { case check, action, notify }
    public enum Risk: String, Sendable, Hashable, CaseIterable { case low, medium, high }

    public var id: String
    public var kind: Kind
    public var title: String?
    public var description: String?
    public var when: Located<Expression>?
    public var driver: DriverSpec
    /// Ordered: the first that holds wins; none holding means green.
    public var thresholds: [Threshold]
    public var retry: RetrySpec?
    public var timeout: Duration?
    public var risk: Risk
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
    /// `undo:` of an action: how what it deletes is brought back (the archive table the rows
    /// moved to, say). Without it, SQL that deletes needs `risk: high` (DestructiveSQLRule).
    public var undo: String?
    public var location: SourceLocation

    public init(id: String, kind: Kind, driver: DriverSpec, location: SourceLocation) {
        self.id = id
        self.kind = kind
        self.driver = driver
        self.location = location
        self.thresholds = []
        self.risk = .medium
        self.continueOnFailure = false
    }

    public var displayTitle: String { title ?? id }
}

/// A value with the place in the file it came from.
public struct Located<T: Sendable>: Sendable {
    public var value: T
    public var location: SourceLocation
    public init(_ value: T, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

/// `thresholds: {red: expr, yellow: expr}`.
public struct Threshold: Sendable {
    public var status: CheckStatus
    public var condition: Located<Expression>
    public init(status: CheckStatus, condition: Located<Expression>) {
        self.status = status
        self.condition = condition
    }
}

/// `retry: {until: expr, every: 10s, for: 5m}`: repeat a check until the condition holds.
public struct RetrySpec: Sendable {
    public var until: Located<Expression>
    public var every: Duration
    public var total: Duration
    public init(until: Located<Expression>, every: Duration, total: Duration) {
        self.until = until
        self.every = every
        self.total = total
    }
}

/// A reusable check applied by `use:`; its own expressions see its own `inputs`, bound by `with:`.
public struct UsedCheck: Sendable {
    public var checkID: String
    public var path: String
    public var inputs: [InputSpec]
    public var bindings: [String: Located<Expression>]
    public init(checkID: String, path: String, inputs: [InputSpec], bindings: [String: Located<Expression>]) {
        self.checkID = checkID
        self.path = path
        self.inputs = inputs
        self.bindings = bindings
    }
}

/// The status of a check: its colour, or `error` when it could not run.
public enum CheckStatus: String, Sendable, Hashable, CaseIterable, Comparable {
    case green, yellow, red, error

    var rank: Int {
        switch self {
        case .green: 0
        case .yellow: 1
        case .red: 2
        case .error: 3
        }
    }

    public static func < (a: CheckStatus, b: CheckStatus) -> Bool { a.rank < b.rank }
}
