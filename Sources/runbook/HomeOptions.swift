import ArgumentParser
import Foundation
import RunbookCore

/// Options every command that reads runbooks shares.
struct HomeOptions: ParsableArguments {
    @Option(name: .customLong("dir"), help: "The project folder holding runbooks/, checks/, environments/, templates/ (default: $RUNBOOK_HOME or the current folder).")
    var directory: String?

    var home: URL {
        if let directory { return URL(fileURLWithPath: directory).standardizedFileURL }
        if let h = ProcessInfo.processInfo.environment["RUNBOOK_HOME"], !h.isEmpty { return URL(fileURLWithPath: h).standardizedFileURL }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    var loader: RunbookLoader { RunbookLoader(home: home) }
}
