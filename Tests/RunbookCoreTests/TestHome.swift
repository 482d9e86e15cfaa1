import Foundation
@testable import RunbookCore

/// A throw-away project folder with runbooks/, checks/, templates/ and environments/.
final class TestHome {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-test-\(UUID().uuidString)")
        for d in ["runbooks", "checks", "templates", "environments"] {
            try? FileManager.default.createDirectory(at: url.appendingPathComponent(d), withIntermediateDirectories: true)
        }
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func write(_ relative: String, _ text: String) {
        try? text.write(to: url.appendingPathComponent(relative), atomically: true, encoding: .utf8)
    }

    var loader: RunbookLoader { RunbookLoader(home: url) }

    /// Writes runbooks/<id>.yaml and loads it.
    func runbook(_ id: String, _ yaml: String) -> (runbook: Runbook?, diagnostics: [Diagnostic]) {
        write("runbooks/\(id).yaml", yaml)
        return loader.loadRunbook(at: url.appendingPathComponent("runbooks/\(id).yaml"))
    }

    /// The diagnostics as `line:col: message` (path stripped), for compact assertions.
    func lint(_ id: String, _ yaml: String) -> [String] {
        runbook(id, yaml).diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" }
    }
}
