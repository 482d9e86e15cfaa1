import Foundation
import Testing

/// Rules about the project's own runbook library that no loader can know.
@Suite("The project's runbooks, checks and environments")
struct ProjectFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func yamlFiles(_ folder: String) throws -> [(name: String, text: String)] {
        let dir = root.appendingPathComponent(folder)
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }.sorted().map {
            ($0, try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8))
        }
    }

    /// Production commands must not hang: `sudo` without `-n` waits for a password until the
    /// step's timeout.
    @Test func sudoNeverPrompts() throws {
        for folder in ["environments", "runbooks", "checks"] {
            for (name, text) in try Self.yamlFiles(folder) {
                for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let code = line.split(separator: "#", maxSplits: 1).first.map(String.init) ?? ""
                    guard let range = code.range(of: #"\bsudo\b"#, options: .regularExpression) else { continue }
                    let after = code[range.upperBound...].drop { $0 == " " || $0 == "," || $0 == "\"" }
                    #expect(after.hasPrefix("-n"), "\(folder)/\(name):\(n + 1): sudo without -n: \(line)")
                }
            }
        }
    }

    /// CPU and memory are judged by one check with one set of limits: no runbook samples them
    /// with its own numbers.
    @Test func oneResourceCheck() throws {
        for (name, text) in try Self.yamlFiles("runbooks") {
            #expect(!text.contains("top -b") && !text.contains("/proc/loadavg") && !text.contains("VmRSS"),
                    "\(name) measures CPU/memory itself; use checks/etl-core-resources.yaml")
        }
    }
}
