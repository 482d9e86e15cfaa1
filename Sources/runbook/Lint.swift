import ArgumentParser
import Dispatch
import Foundation
import RunbookCore
import Synchronization

struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Validate runbooks and reusable checks; report every problem as path:line:col: error: message.")

    @OptionGroup var home: HomeOptions

    @Argument(help: "Files or folders to check (default: runbooks/, checks/ and runbook-tests/).")
    var paths: [String] = []

    func run() throws {
        let loader = home.loader
        var files: [URL] = []
        let tests = RunbookTestLoader(home: loader.home).directory.path
        let targets = paths.isEmpty
            ? [loader.runbooksDirectory.path, loader.checksDirectory.path] + (FileManager.default.fileExists(atPath: tests) ? [tests] : [])
            : paths
        for target in targets {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) else {
                print("\(target):1:1: error: no such file or folder")
                throw CommandFailure(.usage)
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
        for diagnostics in Lint.diagnostics(of: files, home: loader.home) {
            for d in diagnostics {
                print(d.description)
                if d.severity == .error { errors += 1 } else { warnings += 1 }
            }
        }
        let summary = "\(files.count) file\(files.count == 1 ? "" : "s") checked, \(errors) error\(errors == 1 ? "" : "s")"
            + (warnings > 0 ? ", \(warnings) warning\(warnings == 1 ? "" : "s")" : "")
        printError(summary)
        if errors > 0 { throw CommandFailure(.usage) }
    }

    /// Every file's diagnostics, in the order of `files`. Files are independent, so a large
    /// folder is shared among the processor's cores, each with a loader of its own. Each worker
    /// takes the next file not yet taken, so a worker the machine slows down (other work on
    /// the same cores) takes fewer files instead of finishing last with a fixed share.
    static func diagnostics(of files: [URL], home: URL) -> [[Diagnostic]] {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8, files.count / 50))
        let results = Mutex([[Diagnostic]](repeating: [], count: files.count))
        let next = Atomic(0)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let loader = RunbookLoader(home: home)
            var mine: [(Int, [Diagnostic])] = []
            while true {
                let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard index < files.count else { break }
                let file = files[index]
                let diagnostics = isTestFile(file) ? RunbookTestLoader(home: home).diagnostics(ofTestFileAt: file, loader: loader)
                    : isCheck(file) ? loader.loadCheck(at: file).diagnostics : loader.diagnostics(ofRunbookAt: file)
                mine.append((index, diagnostics))
            }
            results.withLock { all in for (index, diagnostics) in mine { all[index] = diagnostics } }
        }
        return results.withLock { $0 }
    }

    /// A file under a `runbook-tests` folder is a runbook's test file.
    static func isTestFile(_ url: URL) -> Bool {
        url.standardizedFileURL.path.split(separator: "/").dropLast().last.map(String.init) == RunbookTestLoader.folder
    }

    /// A file under a `checks` folder, or one that starts with `check:`, is a reusable check.
    static func isCheck(_ url: URL) -> Bool {
        if url.path.split(separator: "/").dropLast().last == "checks" { return true }
        // The first key decides; read only the head (a huge file is refused by the loader).
        guard let handle = FileHandle(forReadingAtPath: url.path) else { return false }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 4096) else { return false }
        let bytes = [UInt8](head)
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            let line = bytes[start..<end]
            start = end + 1
            let blank = line.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
            if blank || line.first == UInt8(ascii: "#") { continue }
            return line.starts(with: "check:".utf8)
        }
        return false
    }
}
