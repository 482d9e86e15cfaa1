import ETLCore
import Foundation
import Hummingbird
import HummingbirdTesting


/// A running `ETLService` on its own throw-away database and log folder, driven through
/// HummingbirdTesting's router client.
struct ServiceHarness: Sendable {
    static let token = "test-token-0123456789abcdef"

    let service: ETLService
    let database: TestDatabase
    let logDirectory: String
    let client: any TestClientProtocol

    /// Starts a service (worker on, alert monitor off unless asked) and runs `body`. With
    /// `database`, a second instance on another instance's database (left for its owner to drop).
    static func run(
        on shared: TestDatabase? = nil,
        worker: Bool = true,
        alerts: Bool = false,
        configure: @Sendable (inout ETLConfiguration) -> Void = { _ in },
        _ body: @Sendable (ServiceHarness) async throws -> Void
    ) async throws {
        let database: TestDatabase
        if let shared { database = shared } else { database = try await TestDatabase.create() }
        let owned = shared == nil
        let logDirectory = NSTemporaryDirectory() + "etl-test-logs-" + UUID().uuidString
        var configuration = ETLConfiguration(database: database.url, apiToken: token, logDirectory: logDirectory)
        configuration.pollInterval = .milliseconds(50)
        configuration.heartbeatTimeout = .milliseconds(600)
        configuration.alertInterval = .seconds(3600)
        configure(&configuration)
        var logger = TestDatabase.logger
        logger.logLevel = .critical
        let service = try ETLService(configuration: configuration, logger: logger)
        let app = service.makeApplication(worker: worker, alerts: alerts)
        do {
            try await app.test(.router) { client in
                try await body(ServiceHarness(service: service, database: database, logDirectory: logDirectory, client: client))
            }
        } catch {
            if owned { await database.drop() }
            throw error
        }
        if owned { await database.drop() }
        try? FileManager.default.removeItem(atPath: logDirectory)
    }

    // MARK: HTTP

    var auth: HTTPFields { [.authorization: "Bearer \(Self.token)"] }

    @discardableResult
    func request(_ method: HTTPRequest.Method, _ uri: String, json: String? = nil, headers: HTTPFields? = nil) async throws -> TestResponse {
        var fields = headers ?? auth
        if json != nil { fields[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: fields, body: json.map { ByteBuffer(string: $0) })
    }

    /// Uploads a CSV; returns the new file id.
    func upload(_ filename: String, _ content: String) async throws -> Int {
        let body = try String(decoding: JSONEncoder().encode(UploadRequest(filename: filename, content: content)), as: UTF8.self)
        let response = try await request(.post, "/files", json: body)
        guard response.status == .created, let id = response.json["id"] as? Int else {
            throw HarnessError("upload failed: \(response.status) \(response.text)")
        }
        return id
    }

    /// The file's status, as the API reports it.
    func status(ofFile id: Int) async throws -> String {
        try await request(.get, "/files/\(id)").json["status"] as? String ?? "?"
    }

    /// Waits until the file leaves `uploaded`/`processing`; returns its JSON.
    func waitUntilFinished(_ id: Int, timeout: Duration = .seconds(15)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let file = try await request(.get, "/files/\(id)").json
            if let status = file["status"] as? String, status == "loaded" || status == "error" {
                return file
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("file \(id) did not finish within \(timeout)")
    }

    // MARK: logs

    func logLines(_ name: String) -> [String] {
        let text = (try? String(contentsOfFile: "\(logDirectory)/\(name)", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// awk-style whitespace fields of a line, 1-based as awk counts ($1 is index 1).
    static func fields(_ line: String) -> [String] {
        [""] + line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    }
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(10), _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body as a JSON object (empty when it is not one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }
}

/// A CSV with `rows` valid lots.
func validCSV(rows: Int, farm: String = "fazenda-teste") -> String {
    var lines = ["farm,lot,head_count,weight_kg,price"]
    for index in 1...rows {
        lines.append("\(farm),L\(index),\(10 + index),\(400 + index).5,\(10000 + index).25")
    }
    return lines.joined(separator: "\n") + "\n"
}
