/// Checks what expressions refer to: inputs that exist, steps that exist and run earlier,
/// `result` only where a step's own result is known, known roots. Pure.
struct ReferenceValidator {
    let steps: [Step]
    let inputs: [InputSpec]
    var checkFile = false

    init(runbook: Runbook) {
        steps = runbook.steps
        inputs = runbook.inputs
    }

    static func forCheck(step: Step, inputs: [InputSpec]) -> ReferenceValidator {
        var v = ReferenceValidator(steps: [step], inputs: inputs)
        v.checkFile = true
        return v
    }

    private init(steps: [Step], inputs: [InputSpec]) {
        self.steps = steps
        self.inputs = inputs
    }

    static let roots = ["inputs", "env", "steps", "result", "run"]
    static let stepFields = ["status", "result", "duration_ms", "error", "attempts", "kind"]

    func validate() -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (index, step) in steps.enumerated() {
            for use in step.expressionUses {
                let scopeInputs = use.scope == .check ? (step.use?.inputs ?? []) : inputs
                for reference in use.expression.value.references {
                    if let problem = check(reference, step: step, index: index, use: use, inputs: scopeInputs) {
                        out.append(Diagnostic(use.expression.location.offset(by: reference.offset), "in '\(use.key)' of step '\(step.id)': \(problem)"))
                    }
                }
            }
        }
        return out
    }

    mutating func validateCheckFile() -> [Diagnostic] {
        guard let step = steps.first else { return [] }
        var out: [Diagnostic] = []
        for use in step.expressionUses {
            for reference in use.expression.value.references {
                if reference.segments.first == "steps" {
                    out.append(Diagnostic(use.expression.location.offset(by: reference.offset), "a reusable check cannot read other steps; pass values through its inputs"))
                } else if let problem = check(reference, step: step, index: 0, use: use, inputs: inputs) {
                    out.append(Diagnostic(use.expression.location.offset(by: reference.offset), "in '\(use.key)': \(problem)"))
                }
            }
        }
        return out
    }

    private func check(_ reference: Expression.PathReference, step: Step, index: Int, use: ExpressionUse, inputs: [InputSpec]) -> String? {
        let segments = reference.segments
        guard let root = segments.first else { return nil }
        switch root {
        case "inputs":
            guard segments.count > 1 else { return "'inputs' needs a name, as in inputs.window_hours" }
            let name = segments[1]
            if !inputs.contains(where: { $0.name == name }) {
                let owner = use.scope == .check ? "check '\(step.use?.checkID ?? "")'" : "this runbook"
                return "unknown input '\(name)' of \(owner)\(Suggest.didYouMean(name, in: inputs.map(\.name)))"
            }
        case "steps":
            guard segments.count > 1 else { return "'steps' needs a step id, as in steps.error-rate.status" }
            let id = segments[1]
            guard let target = steps.firstIndex(where: { $0.id == id }) else {
                return "unknown step '\(id)'\(Suggest.didYouMean(id, in: steps.map(\.id)))"
            }
            if target == index { return "step '\(id)' cannot read its own status or result through steps.; use 'result'" }
            if target > index { return "step '\(id)' runs later (it is step \(target + 1), this is step \(index + 1)); a step can only read earlier steps" }
            if segments.count > 2, !Self.stepFields.contains(segments[2]) {
                return "steps.\(id) has no field '\(segments[2])'\(Suggest.didYouMean(segments[2], in: Self.stepFields)) (fields: \(Self.stepFields.joined(separator: ", ")))"
            }
        case "result":
            if !use.allowsResult {
                return "'result' is only known in thresholds and retry.until; read an earlier step with steps.<id>.result"
            }
        case "env", "run":
            break
        default:
            return "unknown name '\(root)'\(Suggest.didYouMean(root, in: Self.roots)) (names: \(Self.roots.joined(separator: ", ")))"
        }
        return nil
    }
}

/// An expression in a step, where it sits and what it may read.
struct ExpressionUse {
    enum Scope { case runbook, check }
    var key: String
    var expression: Located<Expression>
    var scope: Scope
    var allowsResult: Bool
}

extension Step {
    /// Every expression and interpolation of the step, with its scope.
    var expressionUses: [ExpressionUse] {
        let driverScope: ExpressionUse.Scope = use == nil ? .runbook : .check
        var out: [ExpressionUse] = []
        func add(_ key: String, _ e: Located<Expression>, _ scope: ExpressionUse.Scope, result: Bool = false) {
            out.append(ExpressionUse(key: key, expression: e, scope: scope, allowsResult: result))
        }
        func add(_ key: String, _ t: Located<Template>, _ scope: ExpressionUse.Scope) {
            for (e, offset) in t.value.expressions {
                add(key, Located(e, at: t.location.offset(by: offset + (t.location.column > 0 ? 0 : 0))), scope)
            }
        }
        if let when { add("when", when, .runbook) }
        if let use { for (k, e) in use.bindings.sorted(by: { $0.key < $1.key }) { add("with.\(k)", e, .runbook) } }
        for t in thresholds { add("thresholds.\(t.status.rawValue)", t.condition, driverScope, result: true) }
        if let retry { add("retry.until", retry.until, driverScope, result: true) }
        if let confirm { add("confirm", confirm, .runbook) }
        switch driver {
        case .shell(let s):
            for a in s.argv { add("shell", a, driverScope) }
            for a in s.args { add("args", a, driverScope) }
            if let c = s.workingDirectory { add("cwd", c, driverScope) }
            if let c = s.stdin { add("stdin", c, driverScope) }
            for (k, v) in s.environment { add("env.\(k)", v, driverScope) }
        case .sql(let q):
            for (k, e) in q.params { add("params.\(k)", e, driverScope) }
        case .http(let h):
            add("url", h.url, driverScope)
            for (k, v) in h.headers { add("headers.\(k)", v, driverScope) }
            for (k, v) in h.query { add("query.\(k)", v, driverScope) }
            if let j = h.json {
                for t in j.value.templates { add("json", Located(t, at: j.location), driverScope) }
            }
        case .notify:
            break
        }
        return out
    }

    /// Every expression of the step (for "does it use env." questions).
    var allExpressions: [Located<Expression>] { expressionUses.map(\.expression) }
}
