import ArgumentParser
import RunbookCore

/// `runbook new ID`: a runbook skeleton and its test file with one case, both passing lint.
struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Write runbooks/ID.yaml (a skeleton naming its schema) and runbook-tests/ID.yaml (one case).")

    @OptionGroup var home: HomeOptions

    @Argument(help: "The new runbook's id (lower-case letters, digits, - and _).")
    var id: String

    func run() throws {
        do {
            for url in try RunbookSkeleton.write(id: id, home: home.home) { print("wrote \(home.loader.relativePath(url))") }
        } catch {
            throw CommandFailure(.usage, "error: \(error.description)")
        }
    }
}
