public import Foundation
import Yams

/// Reads `runbook-tests/<id>.yaml` as strictly as a runbook: every unknown key, wrong type or
/// step that the runbook does not have is a `path:line:col: error:`.
public struct RunbookTestLoader {
    /// The folder of test files under a project home.
    public static let folder = "runbook-tests"

    /// The keys of each mapping of a test file, from ``FormatSchema`` (the table `runbook schema
    /// test` writes too).
    public static let fileKeys = FormatSchema.runbookTest.names
    /// The keys of one case.
    public static let caseKeys = FormatSchema.testCase.names
    /// The keys of one fixture (what a step sees), `attempts` included.
    public static let fixtureKeys = FormatSchema.fixtureAttempt.names + ["attempts"]
    /// The keys of a case's `expect:`.
    public static let expectKeys = FormatSchema.testExpect.names
    /// `error:` of a fixture: the driver failures a step can meet.
    public static let errorCodes: [(String, DriverError.Code)] = [
        ("unreachable", .unreachable), ("timeout", .timedOut), ("refused", .refused), ("authentication", .authentication),
        ("tls", .tls), ("failed", .failed),
    ]
    /// The run colours `expect.status` may name.
    public static let runStatuses = ["green", "yellow", "red", "error", "awaiting-approval", "aborted"]

    /// The project home (`runbook-tests/` is below it).
    public let home: URL

    /// A loader for the tests of the project at `home`.
    public init(home: URL) { self.home = home }

    /// `runbook-tests/` under the home.
    public var directory: URL { home.appendingPathComponent(Self.folder) }

    /// The test file of runbook `id`, when it has one.
    public func url(forRunbook id: String) -> URL? {
        (try? ContainedPath.file(named: id, in: directory, extensions: ["yaml", "yml"])) ?? nil
    }

    /// Every test file, by name.
    public func files() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { directory.appendingPathComponent($0) }
    }

    /// Parses the file at `url` (shown as `path`); the file when it has no error, and every diagnostic.
    public func load(at url: URL, path: String) -> (file: RunbookTestFile?, diagnostics: [Diagnostic]) {
        let text: String
        switch SourceFile.read(url, path: path) {
        case .success(let file): text = file.text
        case .failure(let diagnostic): return (nil, [diagnostic])
        }
        let doc = YAMLDocument(path: path, text: text)
        let file = parse(doc, fileID: url.deletingPathExtension().lastPathComponent)
        return (doc.diagnostics.isEmpty ? file : nil, doc.diagnostics)
    }

    func parse(_ doc: YAMLDocument, fileID: String) -> RunbookTestFile? {
        guard let root = doc.root else {
            if doc.diagnostics.isEmpty { doc.error(nil, "empty test file") }
            return nil
        }
        guard let pairs = doc.mapping(root, allowed: Self.fileKeys, what: "test file") else { return nil }
        var file = RunbookTestFile(path: doc.path, runbook: fileID)
        if let r = pairs.value("runbook"), let id = doc.string(r, key: "runbook"), id != fileID {
            doc.error(r, "runbook '\(id)' differs from the file name '\(fileID)' (a runbook's tests are runbook-tests/<its id>.yaml)")
        }
        if let e = pairs.value("environment"), let name = doc.string(e, key: "environment") {
            file.environment = name
            file.environmentNamed = true
        }
        let shared = pairs.value("fixtures").map { fixtures(doc, $0) } ?? [:]
        guard let casesNode = pairs.value("cases") else {
            doc.error(root, "missing 'cases' (a list of cases, each '- case: NAME')")
            return file
        }
        guard let seq = casesNode.sequence, !seq.isEmpty else {
            doc.error(casesNode, "'cases' must be a non-empty list, found \(doc.describe(casesNode))")
            return file
        }
        var seen: [String: Int] = [:]
        for node in seq {
            guard var c = testCase(doc, node) else { continue }
            if let first = seen[c.name] {
                doc.error(at: c.location, "duplicate case '\(c.name)' (first at line \(first))")
                continue
            }
            seen[c.name] = c.location.line
            c.fixtures = shared.merging(c.fixtures) { _, own in own }
            file.cases.append(c)
        }
        return file
    }

    func testCase(_ doc: YAMLDocument, _ node: Node) -> RunbookTestCase? {
        guard let pairs = doc.mapping(node, allowed: Self.caseKeys, what: "case") else { return nil }
        guard let nameNode = pairs.value("case"), let name = doc.string(nameNode, key: "case") else {
            if pairs.value("case") == nil { doc.error(node, "a case needs 'case: NAME'") }
            return nil
        }
        var c = RunbookTestCase(name: name, location: doc.location(of: pairs.keyNode("case")))
        c.description = pairs.value("description").flatMap { doc.string($0, key: "description") }
        if let m = pairs.value("mode"), let mode = doc.string(m, key: "mode") {
            switch mode {
            case "dry-run": c.live = false
            case "live": c.live = true
            default: doc.error(m, "mode must be dry-run or live, found '\(mode)'")
            }
        }
        if let i = pairs.value("inputs") {
            if let mapping = i.mapping {
                for (k, v) in mapping {
                    guard let key = k.scalar?.string else { continue }
                    guard v.scalar != nil else {
                        doc.error(v, "input '\(key)' must be a scalar (what --input \(key)=VALUE would give)")
                        continue
                    }
                    c.inputs.append((key, doc.value(v).interpolated))
                }
            } else {
                doc.error(i, "'inputs' must be a mapping of name to value, found \(doc.describe(i))")
            }
        }
        if let f = pairs.value("fixtures") { c.fixtures = fixtures(doc, f) }
        if let e = pairs.value("expect") { c.expect = expectation(doc, e) } else {
            doc.error(node, "case '\(name)' needs 'expect' (exit, status, steps or notify)")
        }
        return c
    }

    func fixtures(_ doc: YAMLDocument, _ node: Node) -> [String: Fixture] {
        guard let mapping = node.mapping else {
            doc.error(node, "'fixtures' must be a mapping of step id to what it sees, found \(doc.describe(node))")
            return [:]
        }
        var out: [String: Fixture] = [:]
        for (k, v) in mapping {
            guard let id = k.scalar?.string else { continue }
            if let fixture = fixture(doc, v, step: id) { out[id] = fixture }
        }
        return out
    }

    func fixture(_ doc: YAMLDocument, _ node: Node, step: String) -> Fixture? {
        let location = doc.location(of: node)
        if let mapping = node.mapping, mapping.contains(where: { $0.key.scalar?.string == "attempts" }) {
            guard let pairs = doc.mapping(node, allowed: Self.fixtureKeys, what: "fixture of '\(step)'"),
                  let attemptsNode = pairs.value("attempts") else { return nil }
            if pairs.count > 1 { doc.error(node, "fixture of '\(step)': 'attempts' stands alone (a list of fixtures, one per attempt)") }
            guard let seq = attemptsNode.sequence, !seq.isEmpty else {
                doc.error(attemptsNode, "'attempts' must be a non-empty list of fixtures, found \(doc.describe(attemptsNode))")
                return nil
            }
            let attempts = seq.compactMap { attempt(doc, $0, step: step) }
            return attempts.count == seq.count ? Fixture(attempts: attempts, location: location) : nil
        }
        return attempt(doc, node, step: step).map { Fixture(attempts: [$0], location: location) }
    }

    /// One attempt: a mapping whose keys say the kind, or `unreachable`/`timeout` alone.
    func attempt(_ doc: YAMLDocument, _ node: Node, step: String) -> FixtureAttempt? {
        if node.scalar != nil, let word = doc.string(node, key: step) {
            guard let code = Self.errorCodes.first(where: { $0.0 == word })?.1 else {
                doc.error(node, "fixture of '\(step)' must be a mapping (rows, status, exit...) or one of \(Self.errorCodes.map(\.0).joined(separator: ", ")), found '\(word)'")
                return nil
            }
            return .failure(code, "\(word) (fixture)")
        }
        guard let pairs = doc.mapping(node, allowed: Self.fixtureKeys.filter { $0 != "attempts" }, what: "fixture of '\(step)'") else { return nil }
        let groups: [(DriverKind?, [String])] = [(.sql, ["rows", "row_count"]), (.http, ["status", "body", "json", "headers"]),
                                                 (.shell, ["exit", "stdout", "stderr"]), (nil, ["error", "message"])]
        let used = groups.filter { group in pairs.contains { group.1.contains($0.key) } }
        if used.count > 1 {
            doc.error(node, "fixture of '\(step)' mixes \(used.map { $0.1.filter { k in pairs.contains { $0.key == k } }.joined(separator: "/") }.joined(separator: " and ")): one step sees one kind of answer")
            return nil
        }
        func int(_ key: String) -> Int? { pairs.value(key).flatMap { doc.int($0, key: key) } }
        func string(_ key: String) -> String? { pairs.value(key).flatMap { doc.string($0, key: key) } }
        if pairs.isEmpty { return .empty }
        if pairs.value("error") != nil || pairs.value("message") != nil {
            guard let e = pairs.value("error"), let word = doc.string(e, key: "error") else {
                if pairs.value("error") == nil { doc.error(node, "fixture of '\(step)': 'message' goes with 'error'") }
                return nil
            }
            guard let code = Self.errorCodes.first(where: { $0.0 == word })?.1 else {
                doc.error(e, "error must be one of \(Self.errorCodes.map(\.0).joined(separator: ", ")), found '\(word)'\(Suggest.didYouMean(word, in: Self.errorCodes.map(\.0)))")
                return nil
            }
            return .failure(code, string("message") ?? "\(word) (fixture)")
        }
        if pairs.value("rows") != nil || pairs.value("row_count") != nil {
            var rows: [Value] = []
            if let r = pairs.value("rows") {
                guard let seq = r.sequence else {
                    doc.error(r, "'rows' must be a list of rows (mappings of column to value), found \(doc.describe(r))")
                    return nil
                }
                for row in seq {
                    guard row.mapping != nil else {
                        doc.error(row, "a row must be a mapping of column to value, found \(doc.describe(row))")
                        return nil
                    }
                    rows.append(sqlValue(doc, row))
                }
            }
            return .rows(rows, rowCount: int("row_count"))
        }
        if pairs.value("exit") != nil || pairs.value("stdout") != nil || pairs.value("stderr") != nil {
            return .shell(exitCode: int("exit") ?? 0, stdout: string("stdout") ?? "", stderr: string("stderr") ?? "")
        }
        var headers = ValueObject()
        if let h = pairs.value("headers") {
            if let mapping = h.mapping {
                for (k, v) in mapping { headers[(k.scalar?.string ?? "?").lowercased()] = .string(doc.value(v).interpolated) }
            } else {
                doc.error(h, "'headers' must be a mapping, found \(doc.describe(h))")
            }
        }
        var json = Value.null
        var body = string("body") ?? ""
        if let j = pairs.value("json") {
            json = doc.value(j)
            if pairs.value("body") == nil { body = JSON.encode(json) }
            if headers["content-type"] == nil { headers["content-type"] = "application/json" }
        } else if let first = body.trimmingCharacters(in: .whitespaces).first, first == "{" || first == "[" {
            json = (try? JSON.parse(body)) ?? .null
        }
        return .http(status: int("status") ?? 200, body: body, json: json, headers: headers)
    }

    /// A row as PostgreSQL's driver gives it: a number with a fraction is an exact `numeric`.
    func sqlValue(_ doc: YAMLDocument, _ node: Node) -> Value {
        switch node {
        case .scalar(let s):
            let v = doc.scalarValue(node)
            if case .double = v, let d = ExactDecimal(s.string) { return .decimal(d) }
            return v
        case .sequence(let seq): return .list(seq.map { sqlValue(doc, $0) })
        case .mapping(let m):
            var o = ValueObject()
            for (k, v) in m { o[k.scalar?.string ?? "?"] = sqlValue(doc, v) }
            return .object(o)
        case .alias: return .null
        }
    }

    func expectation(_ doc: YAMLDocument, _ node: Node) -> RunbookTestExpectation {
        var e = RunbookTestExpectation()
        guard let pairs = doc.mapping(node, allowed: Self.expectKeys, what: "expect") else { return e }
        if let x = pairs.value("exit"), let code = doc.int(x, key: "exit") { e.exitCode = Located(code, at: doc.location(of: x)) }
        if let s = pairs.value("status"), let status = doc.string(s, key: "status") {
            if Self.runStatuses.contains(status) { e.status = Located(status, at: doc.location(of: s)) } else {
                doc.error(s, "status must be one of \(Self.runStatuses.joined(separator: ", ")), found '\(status)'\(Suggest.didYouMean(status, in: Self.runStatuses))")
            }
        }
        if let steps = pairs.value("steps") {
            if let mapping = steps.mapping {
                for (k, v) in mapping {
                    guard let id = k.scalar?.string, let word = doc.string(v, key: id) else { continue }
                    guard let status = StepStatus(rawValue: word) else {
                        let words = ["green", "yellow", "red", "error", "skipped"] + ActionStatus.allCases.map(\.rawValue)
                        doc.error(v, "unknown step status '\(word)'\(Suggest.didYouMean(word, in: words)) (one of \(words.joined(separator: ", ")))")
                        continue
                    }
                    e.steps.append((id, status, doc.location(of: k)))
                }
            } else {
                doc.error(steps, "'steps' must be a mapping of step id to status, found \(doc.describe(steps))")
            }
        }
        if let notify = pairs.value("notify") {
            if let mapping = notify.mapping {
                for (k, v) in mapping {
                    guard let id = k.scalar?.string, let texts = doc.stringList(v, key: id) else { continue }
                    e.notify.append((id, texts, doc.location(of: k)))
                }
            } else {
                doc.error(notify, "'notify' must be a mapping of notify step id to the texts its message contains, found \(doc.describe(notify))")
            }
        }
        if e.exitCode == nil, e.status == nil, e.steps.isEmpty, e.notify.isEmpty {
            doc.error(node, "'expect' expects nothing: give exit, status, steps or notify")
        }
        return e
    }
}

extension RunbookTestLoader {
    /// Every diagnostic of the test file at `url`, for `runbook lint`: its own, then what it
    /// names that its runbook (found by the file's name through `loader`) does not have.
    public func diagnostics(ofTestFileAt url: URL, loader: RunbookLoader) -> [Diagnostic] {
        let path = loader.relativePath(url)
        let (file, diagnostics) = load(at: url, path: path)
        guard let file else { return diagnostics }
        guard let runbookURL = loader.url(forRunbook: file.runbook) else {
            return [Diagnostic(SourceLocation(path: path, line: 1, column: 1), "no runbook '\(file.runbook)' for this test file (runbooks/\(file.runbook).yaml)")]
        }
        guard let runbook = loader.loadRunbook(at: runbookURL).runbook else {
            return [Diagnostic(SourceLocation(path: path, line: 1, column: 1), "its runbook '\(file.runbook)' has errors (runbook lint \(loader.relativePath(runbookURL)))")]
        }
        return RunbookTestRunner.validate(file, against: runbook)
    }
}
