import ArgumentParser
import Foundation
import RunbookCore

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the runbooks and reusable checks.")

    @OptionGroup var home: HomeOptions

    func run() throws {
        let loader = home.loader
        let runbooks = loader.runbookFiles()
        print("Runbooks (\(runbooks.count)) in \(loader.relativePath(loader.runbooksDirectory)):")
        let width = max(10, runbooks.map(\.id.count).max() ?? 0)
        for (id, path) in runbooks {
            let (runbook, diagnostics) = loader.loadRunbook(at: URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)))
            if let runbook {
                let severity = runbook.severity.map { "[\($0)] " } ?? ""
                print("  \(id.padding(toLength: width, withPad: " ", startingAt: 0))  \(severity)\(runbook.title)  (\(runbook.steps.count) steps)")
            } else {
                print("  \(id.padding(toLength: width, withPad: " ", startingAt: 0))  INVALID: \(diagnostics.first?.description ?? "?") — run 'runbook lint'")
            }
        }
        let checks = loader.checkFiles()
        if !checks.isEmpty {
            print("\nReusable checks (\(checks.count)) in \(loader.relativePath(loader.checksDirectory)):")
            for (id, _) in checks {
                let check = loader.loadCheck(id: id)
                print("  \(id.padding(toLength: width, withPad: " ", startingAt: 0))  \(check?.title ?? "")")
            }
        }
    }
}
