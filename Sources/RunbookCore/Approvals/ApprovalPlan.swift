/// What a second person approves: the exact plan of one action, and its **digest**.
///
/// The digest is the SHA-256 of a canonical JSON document of the runbook file (its SHA-256),
/// the environment file (its SHA-256), the inputs (redacted), the action, its rendered command
/// (redacted), the actions already done before it (a resumed run skips them), and the
/// *findings*: for every earlier step the action's `when`, `confirm` or command reads, its
/// status and each value read (`steps.error-rate.result.rows[0].error_rate`). Anything that
/// changes one of these changes the digest, so an approval of one plan never passes another.
/// Output excerpts and titles are shown to the approver but are not in the digest (a log line's
/// timestamp must not void an approval; what the action depends on must).
///
/// Secret inputs are redacted out of `inputs` and the command, so they are bound instead as
/// ``secretInputs``: a keyed hash (``PlanKey``) that changes with any secret and reveals none.
public struct ApprovalPlan: Sendable, Hashable {
    /// One earlier step the action depends on.
    public struct Finding: Sendable, Hashable {
        /// The step id.
        public var step: String
        /// Its title, for the approver (not in the digest).
        public var title: String
        /// Its status (`green`, `red`, `succeeded`...).
        public var status: String
        /// Each value the action reads from it, by path (`steps.x.result.rows[0].n`), in the
        /// order first read.
        public var values: [(path: String, value: Value)]
        /// Its output excerpt, for the approver (not in the digest).
        public var excerpt: String?
        /// What gave it its colour, for the approver (not in the digest): each value its own
        /// threshold of that colour read (`steps.error-rate.result.rows[0].error_rate` when
        /// the action reads only `steps.error-rate.status`).
        public var evidence: [(path: String, value: Value)]

        /// A finding from its parts.
        public init(step: String, title: String, status: String, values: [(path: String, value: Value)] = [], excerpt: String? = nil,
                    evidence: [(path: String, value: Value)] = [])
        {
            self.step = step
            self.title = title
            self.status = status
            self.values = values
            self.excerpt = excerpt
            self.evidence = evidence
        }

        public static func == (a: Finding, b: Finding) -> Bool {
            a.step == b.step && a.title == b.title && a.status == b.status && a.excerpt == b.excerpt
                && a.values.map(\.path) == b.values.map(\.path) && a.values.map(\.value) == b.values.map(\.value)
                && a.evidence.map(\.path) == b.evidence.map(\.path) && a.evidence.map(\.value) == b.evidence.map(\.value)
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(step)
            hasher.combine(status)
            for v in values { hasher.combine(v.path); hasher.combine(v.value) }
        }
    }

    /// The runbook id.
    public var runbook: String
    /// SHA-256 of the runbook file.
    public var runbookSHA256: String
    /// The environment's name.
    public var environment: String
    /// SHA-256 of the environment file ("" for an environment without a file).
    public var environmentSHA256: String
    /// The run's inputs, redacted, keys sorted.
    public var inputs: Value
    /// The action's step id.
    public var action: String
    /// Its risk.
    public var risk: Step.Risk
    /// How many distinct approvals it needs.
    public var required: Int
    /// The rendered command (``RenderedCommand/auditValue``, redacted).
    public var command: Value
    /// The rendered command as one line (redacted), for the approver.
    public var display: String
    /// The rendered `confirm:` question (redacted), for the approver.
    public var question: String?
    /// What the action depends on.
    public var findings: [Finding]
    /// Actions done before it, by earlier runs of this approval chain (skipped when resumed).
    public var alreadyDone: [String]
    /// The runbook's secret inputs as ``PlanKey/bind(_:)`` binds them (`hmac-sha256:<hex>`);
    /// nil for a runbook without secret inputs (and then not in the digest document).
    public var secretInputs: String?

    /// A plan from its parts.
    public init(runbook: String, runbookSHA256: String, environment: String, environmentSHA256: String, inputs: Value, action: String,
                risk: Step.Risk, required: Int, command: Value, display: String, question: String?, findings: [Finding], alreadyDone: [String] = [],
                secretInputs: String? = nil)
    {
        self.runbook = runbook
        self.runbookSHA256 = runbookSHA256
        self.environment = environment
        self.environmentSHA256 = environmentSHA256
        self.inputs = inputs
        self.action = action
        self.risk = risk
        self.required = required
        self.command = command
        self.display = display
        self.question = question
        self.findings = findings
        self.alreadyDone = alreadyDone
        self.secretInputs = secretInputs
    }

    /// The canonical document the digest is taken over (version 1).
    public var digestDocument: Value {
        var document = ValueObject([
            ("version", .int(1)), ("runbook", .string(runbook)), ("runbook_sha256", .string(runbookSHA256)),
            ("environment", .string(environment)), ("environment_sha256", .string(environmentSHA256)),
            ("inputs", inputs), ("action", .string(action)), ("risk", .string(risk.rawValue)), ("required", .int(required)),
            ("command", command), ("already_done", .list(alreadyDone.map(Value.string))),
            ("findings", .list(findings.map { f in
                .object([("step", .string(f.step)), ("status", .string(f.status)),
                         ("values", .list(f.values.map { .object([("path", .string($0.path)), ("value", $0.value)]) }))])
            })),
        ])
        if let secretInputs { document["secret_inputs"] = .string(secretInputs) }
        return .object(document)
    }

    /// `sha256:<hex>` of ``digestDocument`` as compact JSON with every object's keys sorted, so
    /// that anyone can recompute it from the plan the ledger keeps (PostgreSQL's `jsonb`
    /// reorders keys).
    public var digest: String { "sha256:" + Hex.sha256(Array(JSON.encode(ApprovalPlan.canonical(digestDocument)).utf8)) }

    /// `value` with every object's keys sorted, recursively.
    public static func canonical(_ value: Value) -> Value {
        switch value {
        case .object(let o): .object(ValueObject(o.pairs.sorted { $0.key < $1.key }.map { ($0.key, canonical($0.value)) }))
        case .list(let items): .list(items.map(canonical))
        default: value
        }
    }

    /// The plan as the ledger stores it: the digest document plus what the approver is shown.
    public var json: Value {
        guard case .object(var o) = digestDocument else { return digestDocument }
        o["display"] = .string(display)
        o["question"] = question.map(Value.string) ?? .null
        o["details"] = .list(findings.map { f in
            .object([("step", .string(f.step)), ("title", .string(f.title)), ("excerpt", f.excerpt.map(Value.string) ?? .null),
                     ("evidence", .list(f.evidence.map { .object([("path", .string($0.path)), ("value", $0.value)]) }))])
        })
        return .object(o)
    }

    /// A plan read back from ``json``; nil when it is not one.
    public init?(json value: Value) {
        guard value["version"] == .int(1), let runbook = value["runbook"]?.stringValue, let action = value["action"]?.stringValue,
              let risk = value["risk"]?.stringValue.flatMap(Step.Risk.init(rawValue:)), case .int(let required) = value["required"] ?? .null
        else { return nil }
        var details: [String: (title: String, excerpt: String?, evidence: [(path: String, value: Value)])] = [:]
        if case .list(let items) = value["details"] ?? .null {
            for d in items {
                guard let s = d["step"]?.stringValue else { continue }
                var evidence: [(path: String, value: Value)] = []
                if case .list(let es) = d["evidence"] ?? .null { evidence = es.map { ($0["path"]?.stringValue ?? "?", $0["value"] ?? .null) } }
                details[s] = (d["title"]?.stringValue ?? s, d["excerpt"]?.stringValue, evidence)
            }
        }
        var findings: [Finding] = []
        if case .list(let items) = value["findings"] ?? .null {
            for f in items {
                let step = f["step"]?.stringValue ?? "?"
                var values: [(String, Value)] = []
                if case .list(let vs) = f["values"] ?? .null { values = vs.map { ($0["path"]?.stringValue ?? "?", $0["value"] ?? .null) } }
                findings.append(Finding(step: step, title: details[step]?.title ?? step, status: f["status"]?.stringValue ?? "?", values: values,
                                        excerpt: details[step]?.excerpt, evidence: details[step]?.evidence ?? []))
            }
        }
        var done: [String] = []
        if case .list(let items) = value["already_done"] ?? .null { done = items.compactMap(\.stringValue) }
        self.init(runbook: runbook, runbookSHA256: value["runbook_sha256"]?.stringValue ?? "", environment: value["environment"]?.stringValue ?? "",
                  environmentSHA256: value["environment_sha256"]?.stringValue ?? "", inputs: value["inputs"] ?? .null, action: action, risk: risk,
                  required: required, command: value["command"] ?? .null, display: value["display"]?.stringValue ?? "",
                  question: value["question"]?.stringValue, findings: findings, alreadyDone: done,
                  secretInputs: value["secret_inputs"]?.stringValue)
    }

    /// The findings of `step` at its gate: every earlier step its expressions read under
    /// `steps.`, with its status and each value read, from `scope`; `reports` give titles and
    /// excerpts, `steps` (the runbook's) the thresholds behind each colour (``Finding/evidence``).
    public static func findings(of step: Step, scope: ExpressionScope, reports: [String: StepReport], steps: [Step] = []) -> [Finding] {
        var order: [String] = []
        var values: [String: [(path: String, value: Value)]] = [:]
        for use in step.expressionUses {
            for (path, value) in use.expression.value.reads(under: "steps", in: scope) {
                let parts = path.split(separator: ".", maxSplits: 2).map(String.init)
                guard parts.count >= 2 else { continue }
                let id = parts[1].split(separator: "[").first.map(String.init) ?? parts[1]
                if values[id] == nil { order.append(id); values[id] = [] }
                let relative = path.dropFirst("steps.\(id)".count)
                if relative == ".status" || relative.isEmpty || values[id]!.contains(where: { $0.path == path }) { continue }
                values[id]!.append((path, value))
            }
        }
        return order.map { id in
            let status = scope["steps"]?[id]?["status"]?.stringValue ?? "not run"
            let evidence = Self.evidence(of: steps.first { $0.id == id }, status: status, scope: scope).filter { e in
                !(values[id] ?? []).contains { $0.path == e.path }
            }
            return Finding(step: id, title: reports[id]?.title ?? id, status: status, values: values[id] ?? [], excerpt: reports[id]?.excerpt,
                           evidence: evidence)
        }
    }

    /// The values `step`'s thresholds of colour `status` read from its result (all its
    /// thresholds' when none has that colour), as paths under `steps.<id>.`.
    static func evidence(of step: Step?, status: String, scope: ExpressionScope) -> [(path: String, value: Value)] {
        guard let step, !step.thresholds.isEmpty, let result = scope["steps"]?[step.id]?["result"] else { return [] }
        let matching = step.thresholds.filter { $0.status.rawValue == status }
        let local = ExpressionScope(["result": result])
        var out: [(path: String, value: Value)] = []
        for t in matching.isEmpty ? step.thresholds : matching {
            for (path, value) in t.condition.value.reads(under: "result", in: local) where path != "result" {
                let full = "steps.\(step.id).\(path)"
                if !out.contains(where: { $0.path == full }) { out.append((full, value)) }
            }
        }
        return out
    }

    /// What differs between the approved plan and this one, one readable line each
    /// (`error-rate: red (... 15) -> green (... 2) since approval`); empty when the digests match.
    public static func diff(approved old: ApprovalPlan, now new: ApprovalPlan) -> [String] {
        var lines: [String] = []
        if old.runbookSHA256 != new.runbookSHA256 { lines.append("runbook file \(old.runbook).yaml changed since approval") }
        if old.environmentSHA256 != new.environmentSHA256 { lines.append("environment file of '\(new.environment)' changed since approval") }
        if old.environment != new.environment { lines.append("environment: \(old.environment) -> \(new.environment)") }
        if canonical(old.inputs) != canonical(new.inputs) { lines.append("inputs: \(short(old.inputs)) -> \(short(new.inputs))") }
        if old.action != new.action { lines.append("action: \(old.action) -> \(new.action)") }
        if old.required != new.required { lines.append("approvals required: \(old.required) -> \(new.required)") }
        if old.secretInputs != new.secretInputs { lines.append("secret inputs: not the ones approved (compared by keyed hash; neither is shown)") }
        if old.alreadyDone != new.alreadyDone { lines.append("actions already done: \(old.alreadyDone) -> \(new.alreadyDone)") }
        let oldFindings = Dictionary(old.findings.map { ($0.step, $0) }, uniquingKeysWith: { a, _ in a })
        let newFindings = Dictionary(new.findings.map { ($0.step, $0) }, uniquingKeysWith: { a, _ in a })
        for id in (old.findings.map(\.step) + new.findings.map(\.step)).uniqued() {
            let a = oldFindings[id], b = newFindings[id]
            if a?.status == b?.status, a.map({ $0.values.map { canonical($0.value) } }) == b.map({ $0.values.map { canonical($0.value) } }),
               a.map({ $0.values.map(\.path) }) == b.map({ $0.values.map(\.path) }) { continue }
            lines.append("\(id): \(describe(a)) -> \(describe(b)) since approval")
        }
        if canonical(old.command) != canonical(new.command) { lines.append("command: \(old.display) -> \(new.display)") }
        return lines
    }

    static func describe(_ f: Finding?) -> String {
        guard let f else { return "not read" }
        let values = f.values.map { short($0.value) }
        return values.isEmpty ? f.status : "\(f.status) \(values.joined(separator: ", "))"
    }

    /// A value in at most 80 characters.
    static func short(_ v: Value) -> String {
        let text = v.stringValue ?? JSON.encode(v)
        return text.count > 80 ? String(text.prefix(79)) + "…" : text
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
