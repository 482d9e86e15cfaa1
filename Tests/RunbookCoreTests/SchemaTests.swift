import Foundation
import Testing
@testable import RunbookCore

/// `runbook schema`: one table (FormatSchema) for the loader's key checks and the JSON Schema
/// editors read; the committed schema files are that table's output; every project file is
/// valid under the schema it names (checked by Python's jsonschema), and each file of the
/// broken corpus is refused by the schema (naming the file) and by the loader (naming the line).
@Suite("JSON Schema")
struct SchemaTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: JSONSchemaWriter.Format.allCases)
    func committedSchemaIsTheGeneratedOne(_ format: JSONSchemaWriter.Format) throws {
        let committed = try String(contentsOf: Self.root.appendingPathComponent("schema/\(format.fileName)"), encoding: .utf8)
        #expect(committed == JSONSchemaWriter.document(format), "schema/\(format.fileName) is stale: .build/debug/runbook schema \(format.rawValue) > schema/\(format.fileName)")
    }

    /// The property names of the schema object at `path` (object keys, or a list index as a number).
    static func properties(_ format: JSONSchemaWriter.Format, _ path: [String]) throws -> Set<String> {
        var node = try JSON.parse(JSONSchemaWriter.document(format))
        for key in path {
            if let index = Int(key), case .list(let items) = node, items.indices.contains(index) {
                node = items[index]
            } else {
                node = try #require(node[key], "no \(key) in \(path)")
            }
        }
        guard case .object(let props)? = node["properties"] else { return [] }
        return Set(props.keys)
    }

    /// A key the loader accepts and the schema lacks would be refused by editors (or, worse, the
    /// reverse): the loader's lists must each be in the schema at their place.
    @Test func everyKeyTheLoaderAcceptsIsInTheSchema() throws {
        func expectSubset(_ keys: [String], _ format: JSONSchemaWriter.Format, _ path: [String]) throws {
            let props = try Self.properties(format, path)
            let missing = keys.filter { !props.contains($0) }
            #expect(missing.isEmpty, "\(format.rawValue) schema at \(path.joined(separator: "/")) lacks \(missing)")
        }
        try expectSubset(RunbookLoader.runbookKeys, .runbook, [])
        try expectSubset(RunbookLoader.inputKeys, .runbook, ["properties", "inputs", "additionalProperties"])
        try expectSubset(RunbookLoader.checkFileKeys, .check, [])
        for (i, kind) in [Step.Kind.check, .action, .notify].enumerated() {
            try expectSubset(RunbookLoader.allowedStepKeys[kind] ?? [], .runbook, ["$defs", "step", "allOf", "\(i)", "then"])
        }
        try expectSubset(RunbookLoader.httpKeys, .runbook, ["$defs", "http"])
        try expectSubset(["red", "yellow", "green"], .runbook, ["$defs", "thresholds"])
        try expectSubset(["until", "every", "for"], .runbook, ["$defs", "retry"])
        try expectSubset(RunbookTestLoader.fileKeys, .test, [])
        try expectSubset(RunbookTestLoader.caseKeys, .test, ["properties", "cases", "items"])
        try expectSubset(RunbookTestLoader.expectKeys, .test, ["properties", "cases", "items", "properties", "expect"])
        try expectSubset(RunbookTestLoader.fixtureKeys.filter { $0 != "attempts" }, .test, ["$defs", "fixture", "anyOf", "1"])
    }

    /// Runs scripts/schema-check (Python's jsonschema, installed by scripts/test) on `paths`.
    static func schemaCheck(_ paths: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "scripts/schema-check"] + paths
        process.currentDirectoryURL = root
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func everyProjectFileIsValidUnderItsSchema() throws {
        let (status, output) = try Self.schemaCheck([])
        #expect(!output.contains("No module named"), "python3 lacks jsonschema or yaml (scripts/test installs them): \(output)")
        #expect(status == 0, "\(output)")
        #expect(output.contains("checked against their schema, 0 problems"), "\(output)")
    }

    static let corpus = ["runbooks", "checks", "runbook-tests"].flatMap { folder in
        ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Tests/SchemaCorpus/\(folder)").path)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted().map { "Tests/SchemaCorpus/\(folder)/\($0)" }
    }

    @Test func theBrokenCorpusIsRefusedByBoth() throws {
        #expect(Self.corpus.count >= 10)
        let (status, output) = try Self.schemaCheck(Self.corpus)
        #expect(status == 1, "\(output)")
        let loader = RunbookLoader(home: Self.root)
        for path in Self.corpus {
            #expect(output.contains("\(path): at "), "the schema accepted \(path):\n\(output)")
            let url = Self.root.appendingPathComponent(path)
            let text = try String(contentsOf: url, encoding: .utf8)
            let line = try #require(text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("# <- broken") }) + 1
            let diagnostics: [Diagnostic] = switch url.deletingLastPathComponent().lastPathComponent {
            case "checks": loader.loadCheck(at: url).diagnostics
            case "runbook-tests": RunbookTestLoader(home: Self.root).load(at: url, path: path).diagnostics
            default: loader.diagnostics(ofRunbookAt: url)
            }
            #expect(diagnostics.contains { $0.severity == .error && $0.location.line == line }, "lint did not refuse \(path):\(line): \(diagnostics)")
        }
    }
}
