import ArgumentParser
import Foundation
import RunbookCore

struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Validate runbooks and reusable checks; report every problem as path:line:col: error: message.")

    @OptionGroup var home: HomeOptions

    @Argument(help: "Files or folders to check (default: runbooks/ and checks/).")
    var paths: [String] = []

    func run() throws {
        let loader = home.loader
        var files: [URL] = []
        let targets = paths.isEmpty ? [loader.runbooksDirectory.path, loader.checksDirectory.path] : paths
        for target in targets {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) else {
                print("\(target):1:1: error: no such file or folder")
                throw ExitCode(2)
            }
            if isDirectory.boolValue {
                let url = URL(fileURLWithPath: target)
                files += ((try? FileManager.default.contentsOfDirectory(atPath: target)) ?? [])
                    .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { url.appendingPathComponent($0) }
            } else {
                files.append(URL(fileURLWithPath: target))
            }
        }
        var errors = 0
        var warnings = 0
        for file in files {
            let diagnostics: [Diagnostic]
            if Lint.isCheck(file) {
                diagnostics = loader.loadCheck(at: file).diagnostics
            } else {
                diagnostics = loader.loadRunbook(at: file).diagnostics
            }
            for d in diagnostics {
                print(d.description)
                if d.severity == .error { errors += 1 } else { warnings += 1 }
            }
        }
        let summary = "\(files.count) file\(files.count == 1 ? "" : "s") checked, \(errors) error\(errors == 1 ? "" : "s")"
            + (warnings > 0 ? ", \(warnings) warning\(warnings == 1 ? "" : "s")" : "")
        printError(summary)
        if errors > 0 { throw ExitCode(2) }
    }

    /// A file under a `checks` folder, or one that starts with `check:`, is a reusable check.
    static func isCheck(_ url: URL) -> Bool {
        if url.deletingLastPathComponent().lastPathComponent == "checks" { return true }
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return false }
        return text.split(separator: "\n").first { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }?.hasPrefix("check:") ?? false
    }
}
