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
    /// `undo:` of an action: how what it deletes is brought back (the archive table the rows
    /// moved to, say). Without it, SQL that deletes needs `risk: high` (DestructiveSQLRule).
    public var undo: String?
    /// `approvals: N` of an action: at least this many distinct second persons approve it in an
    /// environment with an approval policy (``ApprovalPolicy``); nil: the policy's number for
    /// its risk.
    public var approvals: Int?
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
