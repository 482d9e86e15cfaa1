/// Which of a runbook's decisions its cases proved both ways: every `when` and every
/// `thresholds.<colour>` must have been true in some case and false in another.
public struct RunbookCoverage: Sendable {
    /// One condition of the runbook.
    public struct Rule: Sendable {
        /// The step it belongs to.
        public var step: String
        /// `when`, `thresholds.red`, `thresholds.yellow`...
        public var key: String
        /// The expression's text.
        public var source: String
        /// Where it is written (a reusable check's thresholds are in `checks/<id>.yaml`).
        public var location: SourceLocation
        /// Some case made it true.
        public var heldTrue: Bool
        /// Some case made it false.
        public var heldFalse: Bool

        /// True and false both seen.
        public var covered: Bool { heldTrue && heldFalse }

        /// What is missing: `never true`, `never false` or `never evaluated`.
        public var missing: String {
            switch (heldTrue, heldFalse) {
            case (false, false): "never evaluated"
            case (false, true): "never true"
            case (true, false): "never false"
            case (true, true): ""
            }
        }
    }

    /// The runbook.
    public var runbook: String
    /// Every condition, in step order.
    public var rules: [Rule]

    /// The coverage of `runbook` from what `recorder` heard (an empty recorder: nothing covered).
    public init(runbook: Runbook, recorder: CoverageRecorder) {
        self.runbook = runbook.id
        var rules: [Rule] = []
        func rule(_ step: Step, _ key: String, _ e: Located<Expression>) -> Rule {
            let seen = recorder.seen(step: step.id, key: key)
            return Rule(step: step.id, key: key, source: e.value.source, location: e.location, heldTrue: seen.heldTrue, heldFalse: seen.heldFalse)
        }
        for step in runbook.steps {
            if let when = step.when { rules.append(rule(step, "when", when)) }
            for threshold in step.thresholds { rules.append(rule(step, "thresholds.\(threshold.status.rawValue)", threshold.condition)) }
        }
        self.rules = rules
    }

    /// How many rules both ways.
    public var coveredCount: Int { rules.filter(\.covered).count }

    /// Every rule covered.
    public var complete: Bool { rules.allSatisfy(\.covered) }
}
