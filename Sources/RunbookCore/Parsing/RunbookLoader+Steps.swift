import Foundation
import Yams

extension RunbookLoader {
    /// One entry of `steps:`.
    func parseStep(_ doc: YAMLDocument, _ node: Node, priorSteps: [Step]) -> Step? {
        guard let mapping = node.mapping else {
            doc.error(node, "a step must be a mapping starting with check:, action: or notify:, found \(doc.describe(node))")
            return nil
        }
        let kinds = mapping.compactMap { k, v -> (Step.Kind, Node, Node)? in
            guard let key = k.scalar?.string, let kind = Step.Kind(rawValue: key) else { return nil }
            return (kind, k, v)
        }
        guard let (kind, _, idNode) = kinds.first else {
            let keys = mapping.compactMap { $0.key.scalar?.string }
            let near = keys.compactMap { Suggest.closest($0, in: Self.kindKeys) }.first
            doc.error(node, "a step needs one of check:, action: or notify: with its id" + (near.map { " (did you mean '\($0)'?)" } ?? ""))
            return nil
        }
        if kinds.count > 1 {
            doc.error(kinds[1].1, "a step is either a check, an action or a notify, not both '\(kinds[0].0.rawValue)' and '\(kinds[1].0.rawValue)'")
            return nil
        }
        guard let id = doc.string(idNode, key: kind.rawValue) else { return nil }
        guard Self.isStepID(id) else {
            doc.error(idNode, "step id '\(id)' must be lower-case letters, digits, '-' and '_'")
            return nil
        }
        let allowed = Self.allowedStepKeys[kind] ?? []
        let misplaced = Self.misplacedStepKeys
        // Keys that belong to another kind get a precise message rather than "unknown key".
        var anyMisplaced = false
        for (k, _) in mapping {
            guard let key = k.scalar?.string, !allowed.contains(key), misplaced.contains(key) else { continue }
            let owner = Self.checkOnlyKeys.contains(key) ? "checks" : (Self.actionOnlyKeys.contains(key) ? "actions" : "notify steps")
            doc.error(k, "'\(key)' is only for \(owner), and '\(id)' is a \(kind.rawValue)")
            anyMisplaced = true
        }
        let filtered = !anyMisplaced ? node : Node.mapping(Node.Mapping(mapping.filter { k, _ in
            guard let key = k.scalar?.string else { return true }
            return !(misplaced.contains(key) && !allowed.contains(key))
        }, mapping.tag, mapping.style, mapping.mark))
        guard let pairs = doc.mapping(filtered, allowed: allowed, what: "step '\(id)'") else { return nil }
        return parseStepBody(doc, pairs: pairs.filter { $0.key != kind.rawValue }, id: id, kind: kind, node: node, priorSteps: priorSteps)
    }

    /// The keys a step of each kind may have (its kind first).
    static let allowedStepKeys: [Step.Kind: [String]] = [
        .check: FormatSchema.step(.check).names,
        .action: FormatSchema.step(.action).names,
        .notify: FormatSchema.step(.notify).names,
    ]

    /// Keys that belong to one kind of step, reported precisely on another.
    static let misplacedStepKeys = checkOnlyKeys + actionOnlyKeys + notifyKeys

    /// The keys of a step after its kind (also the body of a check file).
    func parseStepBody(_ doc: YAMLDocument, pairs: [YAMLPair], id: String, kind: Step.Kind,
                       node: Node, priorSteps: [Step]) -> Step?
    {
        let location = doc.location(of: node)

        let drivers = pairs.filter { Self.driverKeys.contains($0.key) }
        var driver: DriverSpec?
        var usedCheck: UsedCheck?
        var sameAs: String?
        var inherited: Step?
        if drivers.isEmpty {
            let expected = kind == .notify ? "'template:'" : "one of shell:, command:, sql:, http:, use: or same-as:"
            doc.error(node, "step '\(id)' has nothing to run: it needs \(expected)")
        } else if drivers.count > 1 {
            doc.error(drivers[1].keyNode, "step '\(id)' has two drivers, '\(drivers[0].key)' and '\(drivers[1].key)'; a step runs exactly one")
        } else {
            let d = drivers[0]
            switch d.key {
            case "template":
                if kind != .notify { doc.error(d.keyNode, "'template' is for notify steps; '\(id)' is a \(kind.rawValue)") }
                if let name = doc.string(d.value, key: "template") {
                    let channels = pairs.value("channel").map { parseChannels(doc, $0) } ?? []
                    do {
                        if try locateTemplate(name) == nil {
                            doc.error(d.value, "no template '\(name)' in templates/ (looked for \(name).md and \(name).txt)")
                        }
                    } catch {
                        doc.error(d.value, "template \(error)")
                    }
                    driver = .notify(NotifySpec(template: Located(name, at: doc.location(of: d.value)), channels: channels))
                }
            case "shell", "command":
                driver = parseShell(doc, pairs: pairs, main: d)
            case "sql":
                driver = parseSQL(doc, pairs: pairs, main: d)
            case "http":
                if let h = parseHTTP(doc, d.value) {
                    if kind == .check, !["GET", "HEAD"].contains(h.method.value) {
                        doc.error(at: h.method.location, "a check may only use GET or HEAD (it must not change anything); make '\(id)' an action to \(h.method.value)")
                    }
                    driver = .http(h)
                }
            case "use":
                if kind != .check { doc.error(d.keyNode, "'use' applies a reusable check; '\(id)' is a \(kind.rawValue)") }
                if let checkID = doc.string(d.value, key: "use") {
                    var escaped: ContainedPath.Escape?
                    do { _ = try locateCheck(checkID) } catch { escaped = error }
                    if let escaped {
                        doc.error(d.value, "check \(escaped)")
                    } else if let loaded = loadCheck(id: checkID) {
                        if let problem = loaded.diagnostics.first {
                            doc.error(d.value, "check '\(checkID)' has errors: \(problem)")
                        } else if let step = loaded.step {
                            inherited = step
                            driver = step.driver
                            usedCheck = UsedCheck(checkID: checkID, path: loaded.path, inputs: loaded.inputs,
                                                  bindings: parseBindings(doc, pairs.value("with"), check: loaded))
                        }
                    } else {
                        let known = checkFiles().map(\.id)
                        doc.error(d.value, "no reusable check '\(checkID)' in checks/\(Suggest.didYouMean(checkID, in: known))")
                    }
                }
            case "same-as":
                if let other = doc.string(d.value, key: "same-as") {
                    if let step = priorSteps.first(where: { $0.id == other }) {
                        if step.kind != kind { doc.error(d.value, "'\(other)' is a \(step.kind.rawValue); same-as repeats a step of the same kind") }
                        sameAs = other
                        inherited = step
                        driver = step.driver
                        usedCheck = step.use
                    } else {
                        doc.error(d.value, "same-as names '\(other)', which is not an earlier step\(Suggest.didYouMean(other, in: priorSteps.map(\.id)))")
                    }
                }
            default: break
            }
        }
        if pairs.value("with") != nil, drivers.first?.key != "use" {
            doc.error(pairs.keyNode("with"), "'with' gives inputs to a reusable check and needs 'use'")
        }
        if let shellOnly = pairs.first(where: { Self.shellKeys.contains($0.key) }), let d = drivers.first, !["shell", "command"].contains(d.key) {
            doc.error(shellOnly.keyNode, "'\(shellOnly.key)' is for shell steps; '\(id)' uses \(d.key)")
        }
        if let sqlOnly = pairs.first(where: { Self.sqlKeys.contains($0.key) }), let d = drivers.first, d.key != "sql" {
            doc.error(sqlOnly.keyNode, "'\(sqlOnly.key)' is for sql steps; '\(id)' uses \(d.key)")
        }
        guard let driver else { return nil }

        var step = Step(id: id, kind: kind, driver: driver, location: location)
        step.use = usedCheck
        step.sameAs = sameAs
        if let inherited {
            step.thresholds = inherited.thresholds
            step.timeout = inherited.timeout
            step.unreachable = inherited.unreachable
            step.title = inherited.title
            if sameAs != nil { step.title = nil }
        }
        if let t = pairs.value("title") { step.title = doc.string(t, key: "title") }
        step.description = pairs.value("description").flatMap { doc.string($0, key: "description") }
        step.when = pairs.value("when").flatMap { doc.expression($0, key: "when") }
        if let t = pairs.value("timeout") { step.timeout = doc.duration(t, key: "timeout") }
        step.continueOnFailure = pairs.value("continue-on-failure").flatMap { doc.bool($0, key: "continue-on-failure") } ?? false
        if let t = pairs.value("thresholds") { step.thresholds = parseThresholds(doc, t) }
        if let r = pairs.value("retry") { step.retry = parseRetry(doc, r) }
        if let u = pairs.value("unreachable"), let text = doc.string(u, key: "unreachable") {
            if let status = CheckStatus(rawValue: text), status != .green { step.unreachable = status } else {
                doc.error(u, "'unreachable' must be yellow, red or error, found '\(text)'")
            }
        }
        if let r = pairs.value("risk"), let risk = doc.string(r, key: "risk") {
            if let parsed = Step.Risk(rawValue: risk) { step.risk = parsed } else {
                doc.error(r, "risk must be low, medium or high, found '\(risk)'\(Suggest.didYouMean(risk, in: Step.Risk.allCases.map(\.rawValue)))")
            }
        }
        if let c = pairs.value("confirm") { step.confirm = doc.template(c, key: "confirm") }
        step.undo = pairs.value("undo").flatMap { doc.string($0, key: "undo") }
        if let a = pairs.value("approvals"), let n = doc.int(a, key: "approvals") {
            if (1...9).contains(n) { step.approvals = n } else { doc.error(a, "'approvals' must be between 1 and 9 (distinct second persons), found \(n)") }
        }
        if let sqlNode = pairs.value("sql") { DestructiveSQLRule.check(step, sqlNode: sqlNode, in: doc) }
        if kind != .check, case .sql(let spec) = driver, spec.database == .ledger, let d = pairs.value("database") {
            doc.error(d, "only a check may read the ledger ('database: ledger' runs read-only); '\(id)' is a \(kind.rawValue)")
        }
        if kind == .action, pairs.value("confirm") == nil {
            doc.error(node, "action '\(id)' needs 'confirm:', the question the operator answers before it runs")
        }
        return step
    }

    private func parseBindings(_ doc: YAMLDocument, _ node: Node?, check: LoadedCheck) -> [String: Located<Expression>] {
        var out: [String: Located<Expression>] = [:]
        if let node, let mapping = node.mapping {
            for (k, v) in mapping {
                guard let name = k.scalar?.string else { continue }
                guard check.inputs.contains(where: { $0.name == name }) else {
                    doc.error(k, "check '\(check.id)' has no input '\(name)'\(Suggest.didYouMean(name, in: check.inputs.map(\.name)))")
                    continue
                }
                if let e = doc.expression(v, key: "with.\(name)") { out[name] = e }
            }
        } else if let node {
            doc.error(node, "'with' must be a mapping of input name to expression, found \(doc.describe(node))")
        }
        for input in check.inputs where input.required && input.defaultValue == nil && out[input.name] == nil {
            doc.error(node, "check '\(check.id)' needs input '\(input.name)' (give it in 'with:')")
        }
        return out
    }

    private func parseShell(_ doc: YAMLDocument, pairs: [YAMLPair], main: YAMLPair) -> DriverSpec? {
        var spec = ShellSpec()
        if main.key == "shell" {
            if main.value.scalar != nil {
                doc.error(main.value, "'shell' must be a list of arguments (argv), not a command line; for example [grep, -c, ERROR, \"${{ env.logs }}/etl-service.log\"]. To use a shell deliberately, write [bash, -c, \"...\"]")
                return nil
            }
            guard let seq = main.value.sequence, !seq.isEmpty else {
                doc.error(main.value, "'shell' must be a non-empty list of arguments")
                return nil
            }
            spec.argv = seq.compactMap { doc.template($0, key: "shell") }
            if spec.argv.count != seq.count { return nil }
        } else {
            guard let name = doc.string(main.value, key: "command") else { return nil }
            spec.namedCommand = Located(name, at: doc.location(of: main.value))
        }
        if let a = pairs.value("args") {
            guard let seq = a.sequence else {
                doc.error(a, "'args' must be a list")
                return nil
            }
            spec.args = seq.compactMap { doc.template($0, key: "args") }
        }
        spec.workingDirectory = pairs.value("cwd").flatMap { doc.template($0, key: "cwd") }
        spec.stdin = pairs.value("stdin").flatMap { doc.template($0, key: "stdin") }
        spec.nagios = pairs.value("nagios").flatMap { doc.bool($0, key: "nagios") } ?? false
        if let e = pairs.value("env") {
            if let mapping = e.mapping {
                for (k, v) in mapping {
                    guard let name = k.scalar?.string else { continue }
                    if let t = doc.template(v, key: "env.\(name)") { spec.environment.append((name, t)) }
                }
            } else {
                doc.error(e, "'env' must be a mapping of variable name to value")
            }
        }
        return .shell(spec)
    }

    private func parseSQL(_ doc: YAMLDocument, pairs: [YAMLPair], main: YAMLPair) -> DriverSpec? {
        guard let sql = doc.string(main.value, key: "sql") else { return nil }
        if sql.utf8.contains(UInt8(ascii: "$")), let range = sql.range(of: "${{") {
            let offset = sql.distance(from: sql.startIndex, to: range.lowerBound)
            doc.error(at: doc.location(of: main.value, offset: offset),
                      "SQL cannot be built by interpolation; write ':name' and give the value in 'params:' (it is sent as a bind parameter)")
            return nil
        }
        var spec = SQLSpec(sql: Located(sql, at: doc.location(of: main.value)))
        let placeholders = SQLTokenizer.placeholderNames(sql)
        if let p = pairs.value("params") {
            if let mapping = p.mapping {
                for (k, v) in mapping {
                    guard let name = k.scalar?.string else { continue }
                    if !placeholders.contains(name) {
                        doc.error(k, "param '\(name)' is not used in the SQL (no ':\(name)')\(Suggest.didYouMean(name, in: placeholders))")
                    }
                    if let e = doc.expression(v, key: "params.\(name)") { spec.params.append((name, e)) }
                }
            } else {
                doc.error(p, "'params' must be a mapping of placeholder name to expression")
            }
        }
        for name in placeholders where !spec.params.contains(where: { $0.0 == name }) {
            if let range = sql.range(of: ":" + name) {
                let offset = sql.distance(from: sql.startIndex, to: range.lowerBound)
                doc.error(at: doc.location(of: main.value, offset: offset), "':\(name)' has no value in 'params:'")
            }
        }
        if let m = pairs.value("max-rows"), let n = doc.int(m, key: "max-rows") {
            if n < 1 { doc.error(m, "'max-rows' must be at least 1") } else { spec.maxRows = n }
        }
        if let d = pairs.value("database"), let name = doc.string(d, key: "database") {
            let names = SQLDatabase.allCases.map(\.rawValue)
            if let database = SQLDatabase(rawValue: name) {
                spec.database = database
            } else {
                doc.error(d, "'database' must be one of \(names.joined(separator: ", ")), not '\(name)'\(Suggest.didYouMean(name, in: names))")
            }
        }
        return .sql(spec)
    }

    func parseHTTP(_ doc: YAMLDocument, _ node: Node) -> HTTPSpec? {
        guard let pairs = doc.mapping(node, allowed: Self.httpKeys, what: "http") else { return nil }
        guard let urlNode = pairs.value("url") else {
            doc.error(node, "http needs a 'url'")
            return nil
        }
        guard let url = doc.template(urlNode, key: "url") else { return nil }
        var method = Located("GET", at: doc.location(of: node))
        if let m = pairs.value("method"), let text = doc.string(m, key: "method") {
            let upper = text.uppercased()
            let known = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
            if !known.contains(upper) { doc.error(m, "unknown HTTP method '\(text)'\(Suggest.didYouMean(upper, in: known))") }
            method = Located(upper, at: doc.location(of: m))
        }
        var spec = HTTPSpec(method: method, url: url)
        func templatePairs(_ key: String) -> [(String, Located<Template>)] {
            guard let n = pairs.value(key) else { return [] }
            guard let mapping = n.mapping else {
                doc.error(n, "'\(key)' must be a mapping")
                return []
            }
            return mapping.compactMap { k, v in
                guard let name = k.scalar?.string, let t = doc.template(v, key: "\(key).\(name)") else { return nil }
                return (name, t)
            }
        }
        spec.headers = templatePairs("headers")
        spec.query = templatePairs("query")
        if let j = pairs.value("json"), let t = doc.templateValue(j, key: "json") { spec.json = Located(t, at: doc.location(of: j)) }
        if let a = pairs.value("auth"), let auth = doc.string(a, key: "auth") {
            if auth != "bearer" { doc.error(a, "auth must be 'bearer' (the token comes from the environment's api.token)") }
            spec.auth = Located(auth, at: doc.location(of: a))
        }
        if let e = pairs.value("expect") {
            if let pairs = doc.mapping(e, allowed: FormatSchema.httpExpect.names, what: "expect"), let s = pairs.first?.value {
                if let i = doc.scalarValue(s).number { spec.expectStatus = [Int(i)] } else if let seq = s.sequence {
                    spec.expectStatus = seq.compactMap { doc.int($0, key: "expect.status") }
                } else {
                    doc.error(s, "'expect.status' must be a status code or a list of them")
                }
            }
        }
        spec.followRedirects = pairs.value("follow-redirects").flatMap { doc.bool($0, key: "follow-redirects") } ?? false
        return spec
    }

    private func parseThresholds(_ doc: YAMLDocument, _ node: Node) -> [Threshold] {
        guard let pairs = doc.mapping(node, allowed: FormatSchema.thresholds.names, what: "thresholds") else { return [] }
        return pairs.compactMap { pair in
            guard let status = CheckStatus(rawValue: pair.key), let e = doc.expression(pair.value, key: "thresholds.\(pair.key)") else { return nil }
            return Threshold(status: status, condition: e)
        }
    }

    private func parseRetry(_ doc: YAMLDocument, _ node: Node) -> RetrySpec? {
        guard let pairs = doc.mapping(node, allowed: FormatSchema.retry.names, what: "retry") else { return nil }
        guard let u = pairs.value("until") else {
            doc.error(node, "retry needs 'until:', the condition that ends it")
            return nil
        }
        guard let until = doc.expression(u, key: "retry.until") else { return nil }
        let every = pairs.value("every").flatMap { doc.duration($0, key: "retry.every") } ?? Duration.seconds(10)
        let total = pairs.value("for").flatMap { doc.duration($0, key: "retry.for") } ?? Duration.seconds(300)
        if every <= .zero { doc.error(pairs.value("every"), "retry.every must be positive") }
        return RetrySpec(until: until, every: every, total: total)
    }

    /// `channel: incident` or `channel: [log, incident]`: the shape only (which channels exist is
    /// the environment's business, checked when a run starts).
    func parseChannels(_ doc: YAMLDocument, _ node: Node) -> [Located<String>] {
        let items: [Node]
        if node.scalar != nil {
            items = [node]
        } else if let sequence = node.sequence {
            items = Array(sequence)
            if items.isEmpty { doc.error(node, "'channel' must name at least one channel") }
        } else {
            doc.error(node, "'channel' must be a channel name or a list of them, found \(doc.describe(node))")
            return []
        }
        var out: [Located<String>] = []
        for item in items {
            guard let name = doc.string(item, key: "channel") else { continue }
            if !NotifyChannel.isValidName(name) {
                doc.error(item, "channel name '\(name)' must be a lower-case letter followed by letters, digits, '-' or '_' (a name from the environment's notify.channels, or log or stdout)")
            } else if out.contains(where: { $0.value == name }) {
                doc.error(item, "channel '\(name)' is named twice")
            } else {
                out.append(Located(name, at: doc.location(of: item)))
            }
        }
        return out
    }
}
