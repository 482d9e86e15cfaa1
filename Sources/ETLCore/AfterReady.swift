import ServiceLifecycle

/// Runs a service only once the schema is migrated (see ``Readiness``).
struct AfterReady<Wrapped: Service>: Service {
    let readiness: Readiness
    let wrapped: Wrapped

    func run() async throws {
        var waited = false
        try await cancelWhenGracefulShutdown {
            waited = await readiness.wait()
        }
        guard waited, !Task.isShuttingDownGracefully else { return }
        try await wrapped.run()
    }
}
