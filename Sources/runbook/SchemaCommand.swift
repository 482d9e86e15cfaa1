import ArgumentParser
import RunbookCore

/// `runbook schema [runbook|check|environment|test]`: the JSON Schema (draft 2020-12) of a file
/// format, generated from the table the loader checks keys with.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of runbook, check, environment or test files (for editors: docs/authoring.md).")

    @Argument(help: "runbook, check, environment or test.")
    var format: String = "runbook"

    func run() throws {
        guard let f = JSONSchemaWriter.Format(rawValue: format) else {
            throw CommandFailure(.usage, "error: unknown format '\(format)'\(Suggest.didYouMean(format, in: JSONSchemaWriter.Format.allCases.map(\.rawValue))) (runbook, check, environment or test)")
        }
        StandardStreams.out(JSONSchemaWriter.document(f))
    }
}
