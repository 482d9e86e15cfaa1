import PostgresNIO

extension ETLService {
    /// Runs the client just long enough to apply migrations (for `etl-core --migrate-only`).
    public func migrateOnce() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.client.run() }
            defer { group.cancelAll() }
            try await migrateWithRetry()
        }
    }
}
