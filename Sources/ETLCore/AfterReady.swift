import ServiceLifecycle

/// Runs a service only once the schema is migrated (see ``Readiness``).
struct AfterReady<Wrapped: Service>: Service {
    let readiness: Readiness
    let wrapped: Wrapped

    func run() async throws {
        let readiness = self.readiness
        let waited = await cancelWhenGracefulShutdown {
            await readiness.wait()
        }
        guard waited, !Task.isShuttingDownGracefully else { return }
        try await wrapped.run()
    }
}
