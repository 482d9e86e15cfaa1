import Foundation
public import PostgresURLKit

/// Everything `etl-core` needs to run, usually read from the environment.
///
/// | variable | meaning | default |
/// | --- | --- | --- |
/// | `ETL_DATABASE_URL` | `postgres://user:pass@host:port/db` (parameters as `PostgresURL` reads them) | required |
/// | `ETL_API_TOKEN` | bearer token for the API (acts: every route) | required |
/// | `ETL_API_READ_TOKEN` | a read-only bearer token (GET and HEAD only; anything else 403) | none |
/// | `ETL_LISTEN` | `host:port` to listen on | `127.0.0.1:18080` |
/// | `ETL_LOG_DIR` | folder for `etl-service.log`, `errors.log`, `metrics.log`, `audit.log` | none (stderr only) |
/// | `ETL_POLL_INTERVAL_MS` | worker poll interval | 200 |
/// | `ETL_BATCH_SIZE` | files claimed per batch | 20 |
/// | `ETL_HEARTBEAT_TIMEOUT_MS` | worker is "not alive" after this long without a heartbeat | 5000 |
/// | `ETL_ALERT_INTERVAL_MS` | how often alert rules are evaluated | 30000 |
/// | `ETL_SLOW_MS` | a file slower than this logs a `SLOW_QUERY` line | 1000 |
/// | `ETL_FAULTS` | faults in force from the start, JSON as for `POST /admin/faults` | none |
/// | `ETL_MAX_UPLOAD_BYTES` | largest file, for the API (413) and the worker (`resource`) alike | 8388608 |
/// | `ETL_STORAGE_ADDRESS` | `host:port` of the upstream storage, named in connection errors | `storage.conectaboi.internal:9000` |
public struct ETLConfiguration: Sendable {
    /// Where the database is.
    public var database: PostgresURL
    /// The bearer token every protected route requires.
    public var apiToken: String
    /// A second token that may only read (GET, HEAD): the operators' and the console's, while
    /// only the runner holds ``apiToken``. nil: none.
    public var apiReadToken: String?
    /// Address to listen on.
    public var host: String
    /// Port to listen on.
    public var port: Int
    /// Folder for the log files, or `nil` to write none.
    public var logDirectory: String?
    /// How long the worker sleeps when there is nothing to claim.
    public var pollInterval: Duration = .milliseconds(200)
    /// Files claimed per batch.
    public var batchSize: Int = 20
    /// After this long without a heartbeat the worker counts as not alive.
    public var heartbeatTimeout: Duration = .seconds(5)
    /// How often the alert rules run.
    public var alertInterval: Duration = .seconds(30)
    /// A file whose processing takes longer than this logs a `SLOW_QUERY` line.
    public var slowThreshold: Duration = .milliseconds(1000)
    /// The longest a request is held while the `stalled` fault is on.
    public var stallLimit: Duration = .seconds(300)
    /// Faults in force from the start (the sandbox uses this so that a scenario's fault is
    /// there before the worker's first poll). A restart without it clears them.
    public var initialFaults: FaultSettings = .none
    /// Largest file, in bytes: the one limit both `POST /files` (413) and the worker (a
    /// permanent `resource` failure) apply.
    public var maxUploadBytes: Int = UploadLimit.defaultBytes
    /// `host:port` of the upstream storage the worker reads from: a connection failure names
    /// it in the file's `error_message` (scenario 2's network check reads it there).
    public var storageAddress: String = "storage.conectaboi.internal:9000"

    /// Creates a configuration with defaults for everything but the essentials.
    public init(database: PostgresURL, apiToken: String, host: String = "127.0.0.1", port: Int = 18080, logDirectory: String? = nil) {
        self.database = database
        self.apiToken = apiToken
        self.host = host
        self.port = port
        self.logDirectory = logDirectory
    }

    /// Reads the configuration from environment variables (see the table above).
    public init(environment: [String: String]) throws {
        guard let url = environment["ETL_DATABASE_URL"], !url.isEmpty else {
            throw ETLError(.configuration, "ETL_DATABASE_URL is not set")
        }
        guard let token = environment["ETL_API_TOKEN"], !token.isEmpty else {
            throw ETLError(.configuration, "ETL_API_TOKEN is not set")
        }
        let database: PostgresURL
        do { database = try PostgresURL(url) } catch { throw ETLError(.configuration, "ETL_DATABASE_URL: \(error.message)") }
        self.init(database: database, apiToken: token)
        if let read = environment["ETL_API_READ_TOKEN"], !read.isEmpty {
            guard read != token else { throw ETLError(.configuration, "ETL_API_READ_TOKEN must differ from ETL_API_TOKEN") }
            self.apiReadToken = read
        }
        if let listen = environment["ETL_LISTEN"], !listen.isEmpty {
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
                  (1...65535).contains(port)
            else {
                throw ETLError(.configuration, "ETL_LISTEN must be host:port, got '\(listen)'")
            }
            let host = String(listen[..<colon])
            self.host = host.isEmpty ? "127.0.0.1" : host
            self.port = port
        }
        if let dir = environment["ETL_LOG_DIR"], !dir.isEmpty { self.logDirectory = dir }
        self.pollInterval = try Self.milliseconds(environment, "ETL_POLL_INTERVAL_MS") ?? pollInterval
        self.heartbeatTimeout = try Self.milliseconds(environment, "ETL_HEARTBEAT_TIMEOUT_MS") ?? heartbeatTimeout
        self.alertInterval = try Self.milliseconds(environment, "ETL_ALERT_INTERVAL_MS") ?? alertInterval
        self.slowThreshold = try Self.milliseconds(environment, "ETL_SLOW_MS") ?? slowThreshold
        if let text = environment["ETL_FAULTS"], !text.isEmpty {
            guard let patch = try? JSONDecoder().decode(FaultPatch.self, from: Data(text.utf8)) else {
                throw ETLError(.configuration, "ETL_FAULTS must be a JSON object such as {\"slow_ms\": 1500}")
            }
            switch patch.applied(to: .none) {
            case .success(let faults): self.initialFaults = faults
            case .failure(let error): throw ETLError(.configuration, "ETL_FAULTS: \(error.message)")
            }
        }
        if let text = environment["ETL_MAX_UPLOAD_BYTES"], !text.isEmpty {
            guard let bytes = Int(text), (1...UploadLimit.maximumBytes).contains(bytes) else {
                throw ETLError(.configuration, "ETL_MAX_UPLOAD_BYTES must be an integer from 1 to \(UploadLimit.maximumBytes)")
            }
            self.maxUploadBytes = bytes
        }
        if let address = environment["ETL_STORAGE_ADDRESS"], !address.isEmpty {
            guard address.range(of: #"^[A-Za-z0-9][A-Za-z0-9.-]{0,252}:[0-9]{1,5}$"#, options: .regularExpression) != nil,
                  let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
                  (1...65535).contains(port)
            else {
                throw ETLError(.configuration, "ETL_STORAGE_ADDRESS must be host:port (letters, digits, dots, hyphens), got '\(address)'")
            }
            self.storageAddress = address
        }
        if let text = environment["ETL_BATCH_SIZE"] {
            guard let size = Int(text), (1...1000).contains(size) else {
                throw ETLError(.configuration, "ETL_BATCH_SIZE must be an integer from 1 to 1000")
            }
            self.batchSize = size
        }
    }

    private static func milliseconds(_ environment: [String: String], _ name: String) throws -> Duration? {
        guard let text = environment[name], !text.isEmpty else { return nil }
        guard let value = Int(text), value > 0 else {
            throw ETLError(.configuration, "\(name) must be a positive integer (milliseconds)")
        }
        return .milliseconds(value)
    }
}
