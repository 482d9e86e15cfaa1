/// Decides, without doing anything, what happens to a step: run it, preview it, skip it,
/// or stop at its gate. The executor performs the decision; tests check it directly.
public enum Planner {
    /// How a run was asked for.
    public struct Mode: Sendable, Hashable {
        /// `--dry-run`: checks run for real, actions and notify steps are only shown. Also true in
        /// ``plan``.
        public var dryRun: Bool
        /// `--yes`: passes low and medium gates.
        public var yes: Bool
        /// `--approve ID`: passes the named gates, any risk.
        public var approvals: Set<String>
        /// A terminal to ask on.
        public var interactive: Bool
        /// `runbook plan`: render every step, evaluate no `when`, run nothing, audit nothing.
        public var renderOnly: Bool
        /// Actions that need four-eyes approval in a live run, with how many approvals
        /// (``ApprovalPolicy/requirements(of:)``): neither flags nor the terminal pass them.
        public var fourEyes: [String: Int] = [:]
        /// Actions an earlier run of this run's approval chain did (before the request it
        /// resumes), with the reason shown: they are not run again, and read as `succeeded`
        /// (``Planner/doneBefore(kind:id:mode:)``).
        public var alreadyDone: [String: String] = [:]

        /// A mode of `runbook run`; `runbook plan` uses ``plan``.
        public init(dryRun: Bool, yes: Bool = false, approvals: Set<String> = [], interactive: Bool = false) {
            self.dryRun = dryRun
            self.yes = yes
            self.approvals = approvals
            self.interactive = interactive
            self.renderOnly = false
        }

        /// The mode of `runbook plan`.
        public static let plan: Mode = {
            var mode = Mode(dryRun: true)
            mode.renderOnly = true
            return mode
        }()
    }

    /// What happens to one step, decided before any of it runs.
    public enum Decision: Sendable, Hashable {
        /// Perform it now: checks in a run of either mode, notify steps in a live run.
        case execute
        /// Dry run: show what it would do, never perform it.
        case preview
        /// `when` is false.
        case skip(reason: String)
        /// An action whose gate a flag has passed (`--yes` or `--approve ID`).
        case approved(by: String)
        /// An action to confirm on the terminal: y/N, or typing the id for high risk.
        case ask(risk: Step.Risk)
        /// An action with no way to be approved now: the run stops here.
        case blocked(hint: String)
        /// An action that needs this many second persons' approvals of its plan (the ledger's
        /// approval requests): no flag or terminal passes it.
        case fourEyes(required: Int)
    }

    /// The decision for one step whose `when` evaluated to `when`.
    public static func decide(kind: Step.Kind, id: String, risk: Step.Risk, when: Bool, mode: Mode) -> Decision {
        guard when else { return .skip(reason: "when is false") }
        if mode.renderOnly { return .preview }
        switch kind {
        case .check:
            return .execute
        case .notify:
            return mode.dryRun ? .preview : .execute
        case .action:
            if mode.dryRun { return .preview }
            if let n = mode.fourEyes[id], n > 0 { return .fourEyes(required: n) }
            if mode.approvals.contains(id) { return .approved(by: "--approve \(id)") }
            if mode.yes, risk != .high { return .approved(by: "--yes") }
            if mode.interactive { return .ask(risk: risk) }
            if risk == .high {
                return .blocked(hint: "'\(id)' is high risk: rerun with --approve \(id) (--yes does not pass a high-risk gate)")
            }
            return .blocked(hint: "rerun with --yes or --approve \(id), or on a terminal to confirm")
        }
    }

    /// Why action `id` is not run again in a run resuming an approval chain: an earlier run of
    /// the chain did it, before the request. Decided before its `when`, which may well be false
    /// now *because* it was done (the rows it deleted are gone). Such an action reads as
    /// `succeeded` (its result null: the earlier run had it), so the checks that verify it
    /// (`when: steps.analyze.status == "succeeded"`) run again instead of being skipped.
    public static func doneBefore(kind: Step.Kind, id: String, mode: Mode) -> String? {
        guard kind == .action, !mode.dryRun, !mode.renderOnly else { return nil }
        return mode.alreadyDone[id]
    }

    /// Groups consecutive checks that do not read each other, so they can run at once.
    /// Returns ranges of step indexes; every non-check step is a group of its own.
    public static func groups(_ steps: [Step], limit: Int = 8) -> [Range<Int>] {
        var groups: [Range<Int>] = []
        var start = 0
        var index = 0
        while index < steps.count {
            let step = steps[index]
            // A retrying check is a monitor: it runs alone, and what follows waits for it.
            let canJoin = step.kind == .check && step.retry == nil && index > start && steps[start].kind == .check
                && steps[index - 1].retry == nil && index - start < limit
                && !step.readsSteps(Set(steps[start..<index].map(\.id)))
            if index > start, !canJoin {
                groups.append(start..<index)
                start = index
            }
            if step.kind != .check {
                groups.append(index..<index + 1)
                start = index + 1
            }
            index += 1
        }
        if start < steps.count { groups.append(start..<steps.count) }
        return groups
    }
}

extension Step {
    /// Whether any expression of the step reads one of `ids` (through `steps.<id>`).
    func readsSteps(_ ids: Set<String>) -> Bool {
        expressionUses.contains { use in
            use.expression.value.references.contains { r in r.segments.count > 1 && r.segments[0] == "steps" && ids.contains(r.segments[1]) }
        }
    }
}
