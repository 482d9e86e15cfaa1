public import Foundation

/// Resolves a step's templates and parameters into a `RenderedCommand`. Pure: the same
/// step and scope always give the same command, and no value can change its shape: each
/// shell template is one argv element, each SQL value a bind parameter, each URL value
/// percent-encoded.
public struct CommandRenderer: Sendable {
    /// The run's environment: named commands (`command:`) and the notify log (`notify.log`).
    public var environment: Environment
    /// The project folder: a shell step's default working directory, where a relative `cwd:`
    /// and the notify log resolve, where `templates/` is.
    public var home: URL
    /// Text of templates/<name> for notify steps.
    public var templateLoader: @Sendable (String) -> String?

    /// A renderer; `templateLoader` defaults to reading `<name>.md`, `<name>.txt` or `<name>`
    /// from `home/templates`.
    public init(environment: Environment, home: URL, templateLoader: (@Sendable (String) -> String?)? = nil) {
        self.environment = environment
        self.home = home
        let templates = home.appendingPathComponent("templates")
        self.templateLoader = templateLoader ?? { name in
            for candidate in ["\(name).md", "\(name).txt", name] {
                if let data = ContainedPath.data(of: candidate, in: templates) {
                    return String(decoding: data, as: UTF8.self)
                }
            }
            return nil
        }
    }

    /// The scope a step's driver and thresholds see: for a reusable check, its own inputs
    /// bound from `with:` (evaluated in the runbook's scope) plus its defaults.
    public func driverScope(for step: Step, runbookScope: ExpressionScope) throws(StepError) -> ExpressionScope {
        guard let use = step.use else { return runbookScope }
        var inputs = ValueObject()
        for input in use.inputs {
            if let binding = use.bindings[input.name] {
                inputs[input.name] = try evaluate(binding, key: "with.\(input.name)", step: step, scope: runbookScope)
            } else if let d = input.defaultValue {
                inputs[input.name] = d
            } else {
                throw StepError(step: step.id, "check '\(use.checkID)' needs input '\(input.name)'", location: step.location)
            }
        }
        var scope = runbookScope
        scope["inputs"] = .object(inputs)
        return scope
    }

    /// Evaluates `e` in `scope`. Throws a ``StepError`` naming the step, `key` (`when`,
    /// `thresholds.red`...) and the expression, located at the failing column.
    public func evaluate(_ e: Located<Expression>, key: String, step: Step, scope: ExpressionScope) throws(StepError) -> Value {
        do {
            return try e.value.evaluate(in: scope)
        } catch {
            throw StepError(step: step.id, "cannot evaluate \(key) '\(e.value.source)': \(error.message)", location: e.location.offset(by: error.offset))
        }
    }

    func render(_ t: Located<Template>, key: String, step: Step, scope: ExpressionScope, format: (Expression, Value) -> String = { $1.interpolated }) throws(StepError) -> String {
        var out = ""
        for segment in t.value.segments {
            switch segment {
            case .text(let s): out += s
            case .expression(let e, let offset):
                do {
                    out += format(e, try e.evaluate(in: scope))
                } catch {
                    throw StepError(step: step.id, "cannot render \(key) '${{ \(e.source) }}': \(error.message)", location: t.location.offset(by: offset + error.offset))
                }
            }
        }
        return out
    }

    /// Renders the step's command in `scope` (already the driver scope for reusable checks).
    /// Throws ``StepError`` when an expression fails, a `:name` has no `params:` value, the
    /// environment has no such `command:` (code `configuration`), the URL is not http(s), or
    /// the notify template is missing or malformed.
    public func render(_ step: Step, scope: ExpressionScope) throws(StepError) -> RenderedCommand {
        switch step.driver {
        case .shell(let spec):
            var argv: [String] = []
            if let named = spec.namedCommand {
                guard let command = environment.command(named.value), !command.isEmpty else {
                    let known = environment.values["commands"]?.objectValue?.keys ?? []
                    throw StepError(step: step.id, "environment '\(environment.name)' has no command '\(named.value)'\(Suggest.didYouMean(named.value, in: known))",
                                    location: named.location, code: .configuration)
                }
                argv = command
            }
            for a in spec.argv { argv.append(try render(a, key: "shell", step: step, scope: scope)) }
            for a in spec.args { argv.append(try render(a, key: "args", step: step, scope: scope)) }
            var cwd = home.path
            if let c = spec.workingDirectory {
                let rendered = try render(c, key: "cwd", step: step, scope: scope)
                cwd = rendered.hasPrefix("/") ? rendered : home.appendingPathComponent(rendered).path
            }
            var env: [String: String] = [:]
            for (k, v) in spec.environment { env[k] = try render(v, key: "env.\(k)", step: step, scope: scope) }
            let stdin = try spec.stdin.map { (t) throws(StepError) in try render(t, key: "stdin", step: step, scope: scope) }
            return .shell(.init(argv: argv, workingDirectory: cwd, environment: env, stdin: stdin, nagios: spec.nagios))

        case .sql(let spec):
            let (text, names) = SQLTokenizer.numbered(spec.sql.value)
            var binds: [(String, Value)] = []
            for name in names {
                guard let p = spec.params.first(where: { $0.0 == name }) else {
                    throw StepError(step: step.id, "':\(name)' has no value in params", location: spec.sql.location)
                }
                binds.append((name, try evaluate(p.1, key: "params.\(name)", step: step, scope: scope)))
            }
            return .sql(.init(source: spec.sql.value, text: text, binds: binds, readOnly: step.kind == .check, maxRows: spec.maxRows,
                              database: spec.database))

        case .http(let spec):
            // Values from the environment (base URLs) are configuration and pass as written;
            // every other interpolated value is percent-encoded as one path segment.
            let url = try render(spec.url, key: "url", step: step, scope: scope) { e, v in
                let trusted = !e.references.isEmpty && e.references.allSatisfy { $0.segments.first == "env" }
                return trusted ? v.interpolated : URLEncoding.segment(v.interpolated)
            }
            guard var components = URLComponents(string: url), let scheme = components.scheme, ["http", "https"].contains(scheme), components.rangeOfHost != nil else {
                throw StepError(step: step.id, "'\(url)' is not an http(s) URL", location: spec.url.location)
            }
            if !spec.query.isEmpty {
                var items = components.queryItems ?? []
                for (k, v) in spec.query { items.append(URLQueryItem(name: k, value: try render(v, key: "query.\(k)", step: step, scope: scope))) }
                components.percentEncodedQuery = items.map { "\(URLEncoding.query($0.name))=\(URLEncoding.query($0.value ?? ""))" }.joined(separator: "&")
            }
            var headers: [String: String] = [:]
            for (k, v) in spec.headers { headers[k] = try render(v, key: "headers.\(k)", step: step, scope: scope) }
            var body: String?
            if let j = spec.json {
                do { body = JSON.encode(try j.value.render(in: scope)) } catch {
                    throw StepError(step: step.id, "cannot render json body: \(error.message)", location: j.location)
                }
                headers["Content-Type"] = headers["Content-Type"] ?? "application/json"
            }
            return .http(.init(method: spec.method.value, url: components.string ?? url, headers: headers, body: body,
                               bearer: spec.auth != nil, expectStatus: spec.expectStatus, followRedirects: spec.followRedirects))

        case .notify(let spec):
            guard let text = templateLoader(spec.template.value) else {
                throw StepError(step: step.id, "no template '\(spec.template.value)' in templates/", location: spec.template.location)
            }
            let template: Template
            do { template = try Template(text) } catch {
                throw StepError(step: step.id, "template '\(spec.template.value)': \(error.message)", location: spec.template.location)
            }
            let message = try render(Located(template, at: spec.template.location), key: "template", step: step, scope: scope)
            var channels: [NotifyChannel] = []
            for name in spec.channels {
                guard let channel = environment.notifyChannel(named: name.value, home: home) else {
                    throw StepError(step: step.id, "\(environment.path ?? "environment '\(environment.name)'"): notify.channels has no channel '\(name.value)'"
                                    + Suggest.didYouMean(name.value, in: environment.notifyChannelNames), location: name.location, code: .configuration)
                }
                // `[log, incident]` in an environment without channels is the log, once.
                if !channels.contains(where: { $0.name == channel.name }) { channels.append(channel) }
            }
            let run = scope["run"]
            let origin = NotifyOrigin(runbook: run?["runbook"]?.stringValue ?? "", title: run?["title"]?.stringValue ?? "",
                                      runID: run?["id"]?.stringValue ?? "", environment: run?["environment"]?.stringValue ?? environment.name,
                                      step: step.id, status: run?["status"]?.stringValue ?? "")
            return .notify(.init(template: spec.template.value, message: message, channels: channels, origin: origin))
        }
    }
}
