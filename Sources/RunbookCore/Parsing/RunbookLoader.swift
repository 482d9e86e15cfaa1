import Crypto
import Foundation
import Yams

/// Reads runbooks and reusable checks from a project home (`runbooks/`, `checks/`), strictly:
/// every problem is a `Diagnostic` with file, line and column, and all of them are reported,
/// not just the first.
public final class RunbookLoader {
    public let home: URL
    public var runbooksDirectory: URL { home.appendingPathComponent("runbooks") }
    public var checksDirectory: URL { home.appendingPathComponent("checks") }

    private var checkCache: [String: LoadedCheck] = [:]

    public init(home: URL) {
        self.home = home
    }

    static let severities = ["P1", "P2", "P3", "P4"]
    static let runbookKeys = ["runbook", "title", "description", "severity", "owner", "tags", "inputs", "steps"]
    static let inputKeys = ["type", "default", "required", "description", "values", "secret"]
    static let kindKeys = ["check", "action", "notify"]
    static let commonStepKeys = ["title", "description", "when", "timeout", "continue-on-failure"]
    static let driverKeys = ["shell", "command", "sql", "http", "template", "use", "same-as"]
    static let shellKeys = ["args", "cwd", "env", "nagios", "stdin"]
    static let sqlKeys = ["params", "max-rows"]
    static let checkOnlyKeys = ["thresholds", "retry", "with", "unreachable"]
    static let actionOnlyKeys = ["risk", "confirm", "undo"]
    static let notifyKeys = ["channel"]
    static let httpKeys = ["method", "url", "headers", "query", "json", "auth", "expect", "follow-redirects"]
    static let checkFileKeys = ["check", "title", "description", "inputs", "timeout", "thresholds", "retry", "unreachable",
                                "shell", "command", "sql", "http", "args", "cwd", "env", "nagios", "stdin", "params", "max-rows"]

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
        let cwd = FileManager.default.currentDirectoryPath
        let p = url.standardizedFileURL.path
        return p.hasPrefix(cwd + "/") ? String(p.dropFirst(cwd.count + 1)) : p
    }

    /// Finds a runbook by id (`runbooks/<id>.yaml`); nil when there is none.
    public func url(forRunbook id: String) -> URL? {
        for ext in ["yaml", "yml"] {
            let url = runbooksDirectory.appendingPathComponent("\(id).\(ext)")
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        return nil
    }

    /// Loads one runbook file. Returns the runbook when it has no errors, and every diagnostic.
    public func loadRunbook(at url: URL) -> (runbook: Runbook?, diagnostics: [Diagnostic]) {
        let path = relativePath(url)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            return (nil, [Diagnostic(SourceLocation(path: path, line: 1, column: 1), "cannot read file")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return (nil, [Diagnostic(SourceLocation(path: path, line: 1, column: 1), "file is not UTF-8")])
        }
        let sha = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        let doc = YAMLDocument(path: path, text: text)
        let runbook = parseRunbook(doc, fileID: url.deletingPathExtension().lastPathComponent, sha256: sha)
        var diagnostics = doc.diagnostics
        if let runbook { diagnostics += ReferenceValidator(runbook: runbook).validate() }
        diagnostics.sort { $0.location < $1.location }
        return (diagnostics.contains { $0.severity == .error } ? nil : runbook, diagnostics)
    }

    /// Loads a reusable check file by id; diagnostics are those of the check file itself.
    public func loadCheck(id: String) -> LoadedCheck? {
        if let cached = checkCache[id] { return cached }
        let url = ["yaml", "yml"].map { checksDirectory.appendingPathComponent("\(id).\($0)") }
            .first { FileManager.default.fileExists(atPath: $0.path) }
        guard let url else { return nil }
        let loaded = loadCheck(at: url)
        checkCache[id] = loaded
        return loaded
    }

    public func loadCheck(at url: URL) -> LoadedCheck {
        let path = relativePath(url)
        let text = (FileManager.default.contents(atPath: url.path)).flatMap { String(data: $0, encoding: .utf8) } ?? ""
        let doc = YAMLDocument(path: path, text: text)
        let fileID = url.deletingPathExtension().lastPathComponent
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
        func node(_ key: String) -> Node? { pairs.first { $0.key == key }?.value }

        var runbook = Runbook(id: fileID, title: fileID, path: doc.path, sha256: sha256)
        if let idNode = node("runbook") {
            if let id = doc.string(idNode, key: "runbook"), id != fileID {
                doc.error(idNode, "runbook id '\(id)' differs from the file name '\(fileID)' (rename one of them)")
            }
        } else {
            doc.error(root, "missing 'runbook: \(fileID)' (the runbook's id, equal to the file name)")
        }
        if let t = node("title") { runbook.title = doc.string(t, key: "title") ?? fileID } else { doc.error(root, "missing 'title'") }
        runbook.description = node("description").flatMap { doc.string($0, key: "description") }
        if let s = node("severity"), let severity = doc.string(s, key: "severity") {
            if Self.severities.contains(severity) { runbook.severity = severity } else {
                doc.error(s, "severity must be one of \(Self.severities.joined(separator: ", ")), found '\(severity)'")
            }
        }
        runbook.owner = node("owner").flatMap { doc.string($0, key: "owner") }
        runbook.tags = node("tags").flatMap { doc.stringList($0, key: "tags") } ?? []
        if let i = node("inputs") { runbook.inputs = parseInputs(doc, i) }
        guard let stepsNode = node("steps") else {
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

    func parseInputs(_ doc: YAMLDocument, _ node: Node) -> [InputSpec] {
        guard let mapping = node.mapping else {
            doc.error(node, "'inputs' must be a mapping of name to {type, default, ...}, found \(doc.describe(node))")
            return []
        }
        var out: [InputSpec] = []
        for (k, v) in mapping {
            guard let name = k.scalar?.string else { continue }
            let loc = doc.location(of: k)
            guard name.range(of: #"^[A-Za-z_][A-Za-z0-9_]*$"#, options: .regularExpression) != nil else {
                doc.error(k, "input name '\(name)' must be letters, digits and underscores")
                continue
            }
            guard let pairs = doc.mapping(v, allowed: Self.inputKeys, what: "input '\(name)'") else { continue }
            func node(_ key: String) -> Node? { pairs.first { $0.key == key }?.value }
            var spec = InputSpec(name: name, kind: .string, location: loc)
            if let t = node("type"), let typeName = doc.string(t, key: "type") {
                if let kind = InputSpec.Kind(rawValue: typeName) { spec.kind = kind } else {
                    doc.error(t, "unknown input type '\(typeName)'\(Suggest.didYouMean(typeName, in: InputSpec.Kind.allCases.map(\.rawValue))) (types: \(InputSpec.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
            } else if node("type") == nil {
                doc.error(v, "input '\(name)' needs a 'type'")
            }
            spec.description = node("description").flatMap { doc.string($0, key: "description") }
            spec.secret = node("secret").flatMap { doc.bool($0, key: "secret") } ?? false
            if let valuesNode = node("values") {
                spec.values = doc.stringList(valuesNode, key: "values") ?? []
                if spec.kind != .enum { doc.error(valuesNode, "'values' is only for inputs of type enum") }
            } else if spec.kind == .enum {
                doc.error(v, "input '\(name)' of type enum needs 'values'")
            }
            spec.required = node("required").flatMap { doc.bool($0, key: "required") } ?? false
            if let d = node("default") {
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
