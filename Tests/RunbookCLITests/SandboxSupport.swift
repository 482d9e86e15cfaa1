import Foundation
import Testing

/// The sandbox `make test` starts (PostgreSQL + etl-core): its URLs and token from the
/// environment (`source .sandbox/env`). Missing is a failure, never a skip.
struct Sandbox {
    let databaseURL: String
    let apiURL: String
    let token: String
    let logDir: String

    static func current() throws -> Sandbox {
        var env = ProcessInfo.processInfo.environment
        if env["ETL_DATABASE_URL"] == nil, let text = try? String(contentsOf: CLITests.packageRoot.appendingPathComponent(".sandbox/env"), encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("export ") {
                let body = line.dropFirst(7)
                guard let eq = body.firstIndex(of: "=") else { continue }
                env[String(body[..<eq])] = String(body[body.index(after: eq)...]).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
            }
        }
        guard let db = env["ETL_DATABASE_URL"], let api = env["ETL_API_URL"], let token = env["ETL_API_TOKEN"] else {
            throw SandboxMissing()
        }
        return Sandbox(databaseURL: db, apiURL: api, token: token, logDir: env["ETL_LOG_DIR"] ?? "")
    }

    struct SandboxMissing: Error, CustomStringConvertible {
        var description: String { "the sandbox is not running: run `scripts/sandbox up` and `source .sandbox/env` (make test does this)" }
    }

    /// Runs SQL through psql and returns its unaligned output.
    @discardableResult
    func psql(_ sql: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        p.arguments = [databaseURL, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = Pipe()
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            let err = String(decoding: (p.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw PSQLFailed(message: err)
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct PSQLFailed: Error { var message: String }

    /// The environment variables a CLI run needs to reach the sandbox.
    var variables: [String: String] {
        ["ETL_DATABASE_URL": databaseURL, "ETL_API_URL": apiURL, "ETL_API_TOKEN": token, "ETL_LOG_DIR": logDir]
    }
}
