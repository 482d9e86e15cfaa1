/// Where a secret may go. A secret (an `env.` value that may hold one, see
/// `SecretEnvironmentKeys`, or an input declared `secret: true`) may reach a step through an
/// HTTP header, `auth: bearer`, a shell step's `env:` or `stdin:`, a SQL bind parameter or a
/// JSON body; never through a shell argv (every user of the machine sees it in `ps`, and plans
/// and the audit log show it), a URL (servers and proxies log it) or text made to be shown
/// (`confirm:`, a notify template). Any reference to one there is an error, however it is
/// transformed (`upper(env.api.token)` is still the token). Pure.
struct SecretFlowValidator {
    let secretKeys: SecretEnvironmentKeys
    /// The inputs of the runbook (or of the check file being linted).
    let inputs: [InputSpec]
    /// What `templates/<name>` of a notify step interpolates.
    var templateExpressions: (String) -> [Expression] = { _ in [] }

    /// Where a secret must not go, and why, for the message.
    enum Sink {
        case argv, url, output

        var why: String {
            switch self {
            case .argv: "a shell argv is visible to every user of the machine (ps) and is shown in plans and the audit log; pass it through the step's 'env:' or 'stdin:'"
            case .url: "a URL is written to server and proxy logs and shown in plans; send it in a header (or auth: bearer)"
            case .output: "this text is shown and recorded; leave the secret out"
            }
        }
    }

    /// Diagnostics for the steps of a runbook.
    func validate(_ steps: [Step]) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for step in steps {
            if let confirm = step.confirm { out += check(confirm, key: "confirm", step: step, sink: .output, inputs: runbookInput) }
            if case .notify(let spec) = step.driver {
                for expression in templateExpressions(spec.template.value) {
                    for reference in expression.references {
                        guard let secret = secret(reference, inputs: runbookInput) else { continue }
                        out.append(Diagnostic(spec.template.location, "template '\(spec.template.value)' of step '\(step.id)' shows \(secret); \(Sink.output.why)"))
                    }
                }
            }
            // A step repeated by same-as runs the driver already checked where it was written.
            guard step.sameAs == nil else { continue }
            if let use = step.use {
                out += checkBindings(of: use, step: step)
            } else {
                out += checkDriver(step, inputs: runbookInput, prefix: "of step '\(step.id)'")
            }
        }
        return out
    }

    /// Diagnostics for the step of a reusable check file (its own inputs, no bindings).
    func validateCheckFile(_ step: Step) -> [Diagnostic] {
        checkDriver(step, inputs: runbookInput, prefix: "")
    }

    // MARK: - Sinks of a driver

    private func sinks(of step: Step) -> [(key: String, template: Located<Template>, sink: Sink)] {
        switch step.driver {
        case .shell(let s):
            s.argv.map { (key: "shell", template: $0, sink: Sink.argv) } + s.args.map { (key: "args", template: $0, sink: Sink.argv) }
        case .http(let h):
            [(key: "url", template: h.url, sink: Sink.url)] + h.query.map { (key: "query.\($0.0)", template: $0.1, sink: Sink.url) }
        case .sql, .notify:
            []
        }
    }

    private func checkDriver(_ step: Step, inputs: (String) -> String?, prefix: String) -> [Diagnostic] {
        var out: [Diagnostic] = []
        if case .shell(let s) = step.driver, let named = s.namedCommand,
            let (path, reason) = secretKeys.secret(reachedBy: ["commands", named.value])
        {
            out.append(Diagnostic(named.location, "command '\(named.value)' has a secret in its argv (env.\(path.joined(separator: ".")), \(reason)); \(Sink.argv.why)"))
        }
        for (key, template, sink) in sinks(of: step) {
            out += check(template, key: key, step: step, sink: sink, inputs: inputs, prefix: prefix)
        }
        return out
    }

    private func check(_ t: Located<Template>, key: String, step: Step, sink: Sink, inputs: (String) -> String?, prefix: String? = nil) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let place = prefix ?? "of step '\(step.id)'"
        for (expression, offset) in t.value.expressions {
            for reference in expression.references {
                guard let secret = secret(reference, inputs: inputs) else { continue }
                let location = t.location.offset(by: offset + reference.offset)
                out.append(Diagnostic(location, "in '\(key)'\(place.isEmpty ? "" : " " + place): \(secret) is a secret; \(sink.why)"))
            }
        }
        return out
    }

    /// A reusable check's driver reads its own inputs; a binding that hands it a secret is
    /// reported at the binding, in the runbook (the check file itself is linted on its own).
    private func checkBindings(of use: UsedCheck, step: Step) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (key, template, sink) in sinks(of: step) {
            for (expression, _) in template.value.expressions {
                for reference in expression.references where reference.segments.first == "inputs" && reference.segments.count > 1 {
                    let name = reference.segments[1]
                    guard let binding = use.bindings[name] else { continue }
                    for r in binding.value.references {
                        guard let secret = secret(r, inputs: runbookInput) else { continue }
                        out.append(Diagnostic(binding.location.offset(by: r.offset),
                                              "in 'with.\(name)' of step '\(step.id)': \(secret) is a secret, and check '\(use.checkID)' puts input '\(name)' in '\(key)'; \(sink.why)"))
                    }
                }
            }
        }
        return out
    }

    // MARK: - What is secret

    /// `inputs.<name>` of the runbook (or check file), when declared `secret: true`.
    private func runbookInput(_ name: String) -> String? {
        inputs.first { $0.name == name && $0.secret }.map { "inputs.\($0.name) (secret: true)" }
    }

    /// How a reference reaches a secret, for messages (`env.api.token (the API's bearer token)`).
    private func secret(_ reference: Expression.PathReference, inputs: (String) -> String?) -> String? {
        let segments = reference.segments
        switch segments.first {
        case "env":
            guard let (path, reason) = secretKeys.secret(reachedBy: Array(segments.dropFirst())) else { return nil }
            let read = segments.joined(separator: ".")
            let full = (["env"] + path).joined(separator: ".")
            return read == full ? "\(full) (\(reason))" : "\(read) (it holds \(full), \(reason))"
        case "inputs":
            if segments.count > 1 { return inputs(segments[1]) }
            return self.inputs.first(where: \.secret).map { "inputs (it holds inputs.\($0.name), secret: true)" }
        default:
            return nil
        }
    }
}
