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

    /// The image ships the binary `make bench` measures: the Dockerfile builds the runbook
    /// product with the flags scripts/bench builds it with (static Swift libraries, the
    /// linker and its options: docs/performance.md).
    @Test func imageBuildsWhatTheBenchmarkMeasures() throws {
        func buildFlags(_ file: String, until end: String) throws -> [String] {
            let text = try String(contentsOf: Self.root.appendingPathComponent(file), encoding: .utf8)
                .replacingOccurrences(of: "\\\n", with: " ")
            let start = try #require(text.range(of: "swift build -c release --product runbook"), "\(file) builds no runbook product")
            let line = text[start.lowerBound...].prefix { $0 != "\n" }
            var tokens = (line.range(of: end).map { line[..<$0.lowerBound] } ?? line).split(separator: " ").map(String.init)
            if let i = tokens.firstIndex(of: "--scratch-path") { tokens.removeSubrange(i...min(i + 1, tokens.count - 1)) }
            return tokens
        }
        let image = try buildFlags("Dockerfile", until: "&&")
        let bench = try buildFlags("scripts/bench", until: ">")
        #expect(image == bench, "Dockerfile: \(image.joined(separator: " "))\nscripts/bench: \(bench.joined(separator: " "))")
        #expect(image.contains("--static-swift-stdlib"))
    }
}
