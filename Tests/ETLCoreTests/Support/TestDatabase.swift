import ETLCore
import Foundation

import PostgresNIO
import PostgresURLKit

/// A throw-away database on the sandbox's PostgreSQL: `etl_test_<random>`, dropped at the end.
///
/// The server comes from `ETL_TEST_DATABASE_URL` (the Makefile sets it after
/// `scripts/sandbox up`) or else from `.sandbox/env`. No server is a test failure, never a skip.
struct TestDatabase: Sendable {
    let url: PostgresURL

    static let logger: Logger = {
        var logger = Logger(label: "etl-test")
        logger.logLevel = .error
        return logger
    }()

    /// The sandbox's database URL.
    static func serverURL() throws -> PostgresURL {
        if let text = ProcessInfo.processInfo.environment["ETL_TEST_DATABASE_URL"], !text.isEmpty {
            return try PostgresURL(text)
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let envFile = packageRoot.appendingPathComponent(".sandbox/env")
        if let text = try? String(contentsOf: envFile, encoding: .utf8) {
            for line in text.split(separator: "\n") {
                for prefix in ["export ETL_TEST_DATABASE_URL=", "export ETL_DATABASE_URL="] where line.hasPrefix(prefix) {
                    let value = line.dropFirst(prefix.count).trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
                    return try PostgresURL(value)
                }
            }
        }
        throw ETLError(.configuration, """
            no test database: set ETL_TEST_DATABASE_URL or run `scripts/sandbox up` (which writes \(envFile.path))
            """)
    }

    /// Creates a fresh, empty database.
    static func create() async throws -> TestDatabase {
        let server = try serverURL()
        let name = "etl_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        _ = try await withClient(server) { client in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger).collect().count
        }
        return TestDatabase(url: server.with(database: String(name)))
    }

    /// Drops the database, closing whatever is still connected to it.
    func drop() async {
        let name = url.database
        guard name.hasPrefix("etl_test_"), let server = try? Self.serverURL() else { return }
        _ = try? await Self.withClient(server) { client in
            try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: Self.logger).collect()
        }
    }

    /// Runs `body` with a running client on `url`; fails (rather than waits) when the server
    /// does not answer within 20 s.
    static func withClient<T: Sendable>(_ url: PostgresURL, _ body: @Sendable @escaping (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: try url.clientConfiguration(connectTimeout: .seconds(5)), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            group.addTask { try await body(client) }
            group.addTask {
                try await Task.sleep(for: .seconds(20))
                throw ETLError(.database, "test database \(url) did not answer within 20 s (is `scripts/sandbox up` running?)")
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let value = result { return value }
            }
            throw ETLError(.database, "test database client stopped")
        }
    }

    /// Runs `body` with a client on this database.
    func withClient<T: Sendable>(_ body: @Sendable @escaping (PostgresClient) async throws -> T) async throws -> T {
        try await Self.withClient(url, body)
    }

    /// The first column of the first row of `sql`, as an integer.
    func scalar(_ sql: String) async throws -> Int {
        try await withClient { client in
            var value = 0
            for try await row in try await client.query(PostgresQuery(unsafeSQL: sql), logger: Self.logger).decode(Int?.self) {
                value = row ?? 0
            }
            return value
        }
    }

    /// The first column of every row of `sql`, as text.
    func strings(_ sql: String) async throws -> [String] {
        try await withClient { client in
            var values: [String] = []
            for try await row in try await client.query(PostgresQuery(unsafeSQL: sql), logger: Self.logger).decode(String?.self) {
                values.append(row ?? "NULL")
            }
            return values
        }
    }

    /// Runs a statement.
    func execute(_ sql: String) async throws {
        try await withClient { client in
            _ = try await client.query(PostgresQuery(unsafeSQL: sql), logger: Self.logger).collect()
        }
    }
}
