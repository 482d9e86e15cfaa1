import Crypto
public import Foundation
import Yams

/// Reads runbooks and reusable checks from a project home (`runbooks/`, `checks/`), strictly:
/// every problem is a `Diagnostic` with file, line and column, and all of them are reported,
/// not just the first.
public final class RunbookLoader {
    public let home: URL
    public var runbooksDirectory: URL { home.appendingPathComponent("runbooks") }
    public var checksDirectory: URL { home.appendingPathComponent("checks") }
    /// `templates/`: the texts of notify steps.
    public var templatesDirectory: URL { home.appendingPathComponent("templates") }
    /// `alerts/`: the Prometheus rules that runbooks' `triggers:` name.
    public var alertsDirectory: URL { home.appendingPathComponent("alerts") }

    private var checkCache: [String: LoadedCheck] = [:]
    private var secretKeysCache: SecretEnvironmentKeys?
    private var templateCache: [String: [Expression]] = [:]
    private var alertRuleCache: AlertRuleSet?
    private var locations: [String: Result<URL?, ContainedPath.Escape>] = [:]
    /// The current directory, read once (diagnostics show paths relative to it).
    private let currentDirectory = FileManager.default.currentDirectoryPath

    public init(home: URL) {
        self.home = home
    }

    static let severities = ["P1", "P2", "P3", "P4"]
    // The keys of each mapping come from FormatSchema, the table `runbook schema` writes too.
    static let runbookKeys = FormatSchema.runbook.names
    static let inputKeys = FormatSchema.input.names
    static let kindKeys = ["check", "action", "notify"]
    static let commonStepKeys = FormatSchema.commonStep.map(\.name)
    static let driverKeys = FormatSchema.drivers.map(\.name)
    static let shellKeys = FormatSchema.shellOptions.map(\.name)
    static let sqlKeys = FormatSchema.sqlOptions.map(\.name)
    static let checkOnlyKeys = FormatSchema.checkOnly.map(\.name)
    static let actionOnlyKeys = FormatSchema.actionOnly.map(\.name)
    static let notifyKeys = FormatSchema.notifyOnly.map(\.name)
    static let httpKeys = FormatSchema.http.names
    static let templateExtensions = ["md", "txt", ""]
    static let checkFileKeys = FormatSchema.checkFile.names

    /// The id-to-path of every runbook in `runbooks/`.
    public func runbookFiles() -> [(id: String, path: String)] {
        yamlFiles(in: runbooksDirectory).map { ($0.deletingPathExtension().lastPathComponent, relativePath($0)) }
    }

    public func checkFiles() -> [(id: String, path: String)] {
        yamlFiles(in: checksDirectory).map { ($0.deletingPathExtension().lastPathComponent, relativePath($0)) }
    }

    func yamlFiles(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { directory.appendingPathComponent($0) }
    }

    /// A path as shown in diagnostics: relative to the current directory when below it.
    public func relativePath(_ url: URL) -> String {
        let cwd = currentDirectory
        let p = url.standardizedFileURL.path
        return p.hasPrefix(cwd + "/") ? String(p.dropFirst(cwd.count + 1)) : p
    }

    /// Finds a runbook by id (`runbooks/<id>.yaml`); nil when there is none, or when the id
    /// leads outside `runbooks/` (``locateRunbook(_:)`` says so).
    public func url(forRunbook id: String) -> URL? {
        (try? locateRunbook(id)) ?? nil
    }

    /// Finds a runbook by id (`runbooks/<id>.yaml`, symlinks resolved); nil when there is none.
    /// Throws when the id leads outside `runbooks/` (`../x`, an absolute path, a symlink out).
    public func locateRunbook(_ id: String) throws(ContainedPath.Escape) -> URL? {
        try ContainedPath.file(named: id, in: runbooksDirectory, extensions: ["yaml", "yml"])
    }

    /// Finds a reusable check by id (`checks/<id>.yaml`); nil when there is none. Throws when
    /// the id leads outside `checks/`.
    public func locateCheck(_ id: String) throws(ContainedPath.Escape) -> URL? {
        try located("checks/" + id) { () throws(ContainedPath.Escape) in try ContainedPath.file(named: id, in: checksDirectory, extensions: ["yaml", "yml"]) }
    }

    /// Finds a notify template by name (`templates/<name>.md`, `.txt`, or the name as written);
    /// nil when there is none. Throws when the name leads outside `templates/`.
    public func locateTemplate(_ name: String) throws(ContainedPath.Escape) -> URL? {
        try located("templates/" + name) { () throws(ContainedPath.Escape) in
            try ContainedPath.file(named: name, in: templatesDirectory, extensions: Self.templateExtensions)
        }
    }

    /// A lookup done once per loader (a folder of runbooks names the same checks many times).
    private func located(_ key: String, _ find: () throws(ContainedPath.Escape) -> URL?) throws(ContainedPath.Escape) -> URL? {
        if let known = locations[key] { return try known.get() }
        let result: Result<URL?, ContainedPath.Escape>
        do { result = .success(try find()) } catch { result = .failure(error) }
        locations[key] = result
        return try result.get()
    }

    /// The expressions a notify template interpolates (read and parsed once per name; empty
    /// when there is no such template inside `templates/` or it does not parse).
    func templateExpressions(_ name: String) -> [Expression] {
        if let cached = templateCache[name] { return cached }
        let text = ContainedPath.data(of: name, in: templatesDirectory, extensions: Self.templateExtensions).map { String(decoding: $0, as: UTF8.self) }
        let expressions = text.flatMap { try? Template($0) }?.expressions.map(\.0) ?? []
        templateCache[name] = expressions
        return expressions
    }

    /// The `env.` paths that may hold a secret, from every file of `environments/` (read once).
    public var secretEnvironmentKeys: SecretEnvironmentKeys {
        if let keys = secretKeysCache { return keys }
        let keys = SecretEnvironmentKeys.scan(environmentsDirectory: home.appendingPathComponent("environments"))
        secretKeysCache = keys
        return keys
    }

    /// Loads one runbook file. Returns the runbook when it has no errors, and every diagnostic.
    public func loadRunbook(at url: URL) -> (runbook: Runbook?, diagnostics: [Diagnostic]) {
        loadRunbook(at: url, digest: true)
    }

    /// Every diagnostic of one runbook file, as ``loadRunbook(at:)`` finds them, without the
    /// file's SHA-256 (lint records nothing; hashing was 3 % of linting a folder), plus what
    /// only lint checks: each trigger names a rule of `alerts/`.
    public func diagnostics(ofRunbookAt url: URL) -> [Diagnostic] {
        let (runbook, diagnostics) = loadRunbook(at: url, digest: false)
        guard let runbook, !runbook.triggers.isEmpty else { return diagnostics }
        return diagnostics + triggerDiagnostics(runbook)
    }

    /// The rules of `alerts/` (read once per loader).
    public var alertRules: AlertRuleSet {
        if let rules = alertRuleCache { return rules }
        let rules = AlertRuleSet.load(directory: alertsDirectory) { relativePath($0) }
        alertRuleCache = rules
        return rules
    }

    /// A trigger naming an alert no rule of `alerts/` defines is an error: it would never fire.
    func triggerDiagnostics(_ runbook: Runbook) -> [Diagnostic] {
        let rules = alertRules
        return runbook.triggers.compactMap { trigger in
            guard rules.rule(named: trigger.alert) == nil else { return nil }
            let where_ = rules.files.isEmpty ? "alerts/ has no *.rules.yaml" : "no rule in \(rules.files.joined(separator: ", ")) defines it"
            return Diagnostic(trigger.location, "trigger names alert '\(trigger.alert)', but \(where_)\(Suggest.didYouMean(trigger.alert, in: rules.rules.map(\.name)))")
        }
    }

    private func loadRunbook(at url: URL, digest: Bool) -> (runbook: Runbook?, diagnostics: [Diagnostic]) {
        let path = relativePath(url)
        let data: Data
        let text: String
        switch SourceFile.read(url, path: path) {
        case .success(let file): (data, text) = file
        case .failure(let diagnostic): return (nil, [diagnostic])
        }
        let sha = digest ? Hex.encode(SHA256.hash(data: data)) : ""
        let doc = YAMLDocument(path: path, text: text)
        let runbook = parseRunbook(doc, fileID: url.deletingPathExtension().lastPathComponent, sha256: sha)
        var diagnostics = doc.diagnostics
        if let runbook {
            diagnostics += ReferenceValidator(runbook: runbook).validate()
            diagnostics += secretFlowValidator(inputs: runbook.inputs).validate(runbook.steps)
        }
        diagnostics.sort { $0.location < $1.location }
        return (diagnostics.contains { $0.severity == .error } ? nil : runbook, diagnostics)
    }

    /// Loads a reusable check file by id; diagnostics are those of the check file itself.
    /// Nil when there is none, or when the id leads outside `checks/` (``locateCheck(_:)`` says so).
    public func loadCheck(id: String) -> LoadedCheck? {
        if let cached = checkCache[id] { return cached }
        guard let url = (try? locateCheck(id)) ?? nil else { return nil }
        let loaded = loadCheck(at: url)
        checkCache[id] = loaded
        return loaded
    }

    /// Loads a reusable check file; its diagnostics are those of the file itself.
    public func loadCheck(at url: URL) -> LoadedCheck {
        let path = relativePath(url)
        let fileID = url.deletingPathExtension().lastPathComponent
        let text: String
        switch SourceFile.read(url, path: path) {
        case .success(let file): text = file.text
        case .failure(let diagnostic): return LoadedCheck(id: fileID, path: path, title: nil, inputs: [], step: nil, diagnostics: [diagnostic])
        }
        let doc = YAMLDocument(path: path, text: text)
        var step: Step?
        var inputs: [InputSpec] = []
        var title: String?
        if let root = doc.root, let pairs = doc.mapping(root, allowed: Self.checkFileKeys, what: "check file") {
            if let idNode = pairs.first(where: { $0.key == "check" }) {
                if let id = doc.string(idNode.value, key: "check"), id != fileID {
                    doc.error(idNode.value, "check id '\(id)' differs from the file name '\(fileID)'")
                }
            } else {
                doc.error(root, "missing 'check: \(fileID)' (the check's id)")
            }
            if let inputsNode = pairs.first(where: { $0.key == "inputs" }) { inputs = parseInputs(doc, inputsNode.value) }
            title = pairs.first { $0.key == "title" }.flatMap { doc.string($0.value, key: "title") }
            step = parseStepBody(doc, pairs: pairs.filter { !["check", "inputs", "description"].contains($0.key) },
                                 id: fileID, kind: .check, node: root, priorSteps: [])
            step?.title = title
            step?.description = pairs.first { $0.key == "description" }.flatMap { doc.string($0.value, key: "description") }
            if let s = step {
                var validator = ReferenceValidator.forCheck(step: s, inputs: inputs)
                for d in validator.validateCheckFile() { doc.error(at: d.location, d.message) }
                for d in secretFlowValidator(inputs: inputs).validateCheckFile(s) { doc.error(at: d.location, d.message) }
            }
        } else if doc.root == nil, doc.diagnostics.isEmpty {
            doc.error(nil, "empty check file")
        }
        return LoadedCheck(id: fileID, path: path, title: title, inputs: inputs, step: step, diagnostics: doc.diagnostics)
    }

    // MARK: - Runbook

    func parseRunbook(_ doc: YAMLDocument, fileID: String, sha256: String) -> Runbook? {
        guard let root = doc.root else {
            if doc.diagnostics.isEmpty { doc.error(nil, "empty runbook file") }
            return nil
        }
        guard let pairs = doc.mapping(root, allowed: Self.runbookKeys, what: "runbook") else { return nil }

        var runbook = Runbook(id: fileID, title: fileID, path: doc.path, sha256: sha256)
        if let idNode = pairs.value("runbook") {
            if let id = doc.string(idNode, key: "runbook"), id != fileID {
                doc.error(idNode, "runbook id '\(id)' differs from the file name '\(fileID)' (rename one of them)")
            }
        } else {
            doc.error(root, "missing 'runbook: \(fileID)' (the runbook's id, equal to the file name)")
        }
        if let t = pairs.value("title") { runbook.title = doc.string(t, key: "title") ?? fileID } else { doc.error(root, "missing 'title'") }
        runbook.description = pairs.value("description").flatMap { doc.string($0, key: "description") }
        if let s = pairs.value("severity"), let severity = doc.string(s, key: "severity") {
            if Self.severities.contains(severity) { runbook.severity = severity } else {
                doc.error(s, "severity must be one of \(Self.severities.joined(separator: ", ")), found '\(severity)'")
            }
        }
        runbook.owner = pairs.value("owner").flatMap { doc.string($0, key: "owner") }
        runbook.tags = pairs.value("tags").flatMap { doc.stringList($0, key: "tags") } ?? []
        if let i = pairs.value("inputs") { runbook.inputs = parseInputs(doc, i) }
        if let s = pairs.value("schedule") { runbook.schedule = parseSchedule(doc, s) }
        if let t = pairs.value("triggers") { runbook.triggers = parseTriggers(doc, t, inputs: runbook.inputs) }
        guard let stepsNode = pairs.value("steps") else {
            doc.error(root, "missing 'steps'")
            return runbook
        }
        guard let seq = stepsNode.sequence else {
            doc.error(stepsNode, "'steps' must be a list, found \(doc.describe(stepsNode))")
            return runbook
        }
        if seq.isEmpty { doc.error(stepsNode, "'steps' is empty") }
        var seen: [String: SourceLocation] = [:]
        for stepNode in seq {
            guard let step = parseStep(doc, stepNode, priorSteps: runbook.steps) else { continue }
            if let first = seen[step.id] {
                doc.error(at: step.location, "duplicate step id '\(step.id)' (first used at line \(first.line))")
                continue
            }
            seen[step.id] = step.location
            runbook.steps.append(step)
        }
        return runbook
    }

    /// `schedule: {calendar: "...", timezone: Area/City}`.
    func parseSchedule(_ doc: YAMLDocument, _ node: Node) -> Schedule? {
        guard let pairs = doc.mapping(node, allowed: FormatSchema.schedule.names, what: "schedule") else { return nil }
        func value(_ key: String) -> Node? { pairs.first { $0.key == key }?.value }
        guard let calendarNode = value("calendar") else {
            doc.error(node, "schedule needs 'calendar', such as \"Mon *-*-* 06:00\" (systemd's notation)")
            return nil
        }
        guard let text = doc.string(calendarNode, key: "calendar") else { return nil }
        let calendar: ScheduleCalendar
        do { calendar = try ScheduleCalendar(parsing: text) } catch {
            doc.error(at: doc.location(of: calendarNode, offset: error.offset), error.message)
            return nil
        }
        var timezone = "UTC"
        if let zoneNode = value("timezone"), let zone = doc.string(zoneNode, key: "timezone") {
            guard TimeZone(identifier: zone) != nil else {
                doc.error(zoneNode, "unknown time zone '\(zone)' (an IANA name such as America/Sao_Paulo or UTC)")
                return nil
            }
            timezone = zone
        }
        return Schedule(calendar: calendar, timezone: timezone, location: doc.location(of: node))
    }

    func parseInputs(_ doc: YAMLDocument, _ node: Node) -> [InputSpec] {
        guard let mapping = node.mapping else {
            doc.error(node, "'inputs' must be a mapping of name to {type, default, ...}, found \(doc.describe(node))")
            return []
        }
        var out: [InputSpec] = []
        for (k, v) in mapping {
            guard let name = k.scalar?.string else { continue }
            let loc = doc.location(of: k)
            guard Self.isInputName(name) else {
                doc.error(k, "input name '\(name)' must be letters, digits and underscores")
                continue
            }
            guard let pairs = doc.mapping(v, allowed: Self.inputKeys, what: "input '\(name)'") else { continue }
            var spec = InputSpec(name: name, kind: .string, location: loc)
            if let t = pairs.value("type"), let typeName = doc.string(t, key: "type") {
                if let kind = InputSpec.Kind(rawValue: typeName) { spec.kind = kind } else {
                    doc.error(t, "unknown input type '\(typeName)'\(Suggest.didYouMean(typeName, in: InputSpec.Kind.allCases.map(\.rawValue))) (types: \(InputSpec.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
            } else if pairs.value("type") == nil {
                doc.error(v, "input '\(name)' needs a 'type'")
            }
            spec.description = pairs.value("description").flatMap { doc.string($0, key: "description") }
            spec.secret = pairs.value("secret").flatMap { doc.bool($0, key: "secret") } ?? false
            if let valuesNode = pairs.value("values") {
                spec.values = doc.stringList(valuesNode, key: "values") ?? []
                if spec.kind != .enum { doc.error(valuesNode, "'values' is only for inputs of type enum") }
            } else if spec.kind == .enum {
                doc.error(v, "input '\(name)' of type enum needs 'values'")
            }
            spec.required = pairs.value("required").flatMap { doc.bool($0, key: "required") } ?? false
            if let d = pairs.value("default") {
                let value = doc.value(d)
                if spec.accepts(value) {
                    spec.defaultValue = spec.kind == .duration ? (spec.parse(value.interpolated).success ?? value) : value
                } else {
                    doc.error(d, "default of input '\(name)' must be \(article(spec.kind)), found \(doc.describe(d))")
                }
                if spec.required { doc.error(d, "input '\(name)' is required and has a default; choose one") }
            } else if !spec.required {
                spec.required = true
            }
            out.append(spec)
        }
        return out
    }

    private func article(_ kind: InputSpec.Kind) -> String {
        switch kind {
        case .int: "an integer"
        case .number: "a number"
        case .bool: "true or false"
        case .string: "a string"
        case .uuid: "a UUID"
        case .duration: "a duration"
        case .enum: "one of its values"
        }
    }
}

extension RunbookLoader {
    func secretFlowValidator(inputs: [InputSpec]) -> SecretFlowValidator {
        SecretFlowValidator(secretKeys: secretEnvironmentKeys, inputs: inputs) { [self] name in templateExpressions(name) }
    }

    /// `[a-z0-9][a-z0-9_-]*` (checked by hand: a regular expression per step is slow on Linux).
    static func isStepID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard let first = bytes.first, isLowerOrDigit(first) else { return false }
        return bytes.allSatisfy { isLowerOrDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// `[A-Za-z_][A-Za-z0-9_]*`.
    static func isInputName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        func letter(_ b: UInt8) -> Bool { (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") || b == UInt8(ascii: "_") }
        guard let first = bytes.first, letter(first) else { return false }
        return bytes.allSatisfy { letter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }
    }

    private static func isLowerOrDigit(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }
}

extension Result {
    var success: Success? { if case .success(let s) = self { return s } else { return nil } }
}

/// A reusable check file, parsed.
public struct LoadedCheck: Sendable {
    public var id: String
    public var path: String
    public var title: String?
    public var inputs: [InputSpec]
    public var step: Step?
    public var diagnostics: [Diagnostic]
}
