import ServiceLifecycle

/// Verifies the ledger when the console starts and then every `interval` (`--audit-every`),
/// through ``AuditState`` (so never twice at once); stops at graceful shutdown.
struct AuditRefresher: Service {
    let state: AuditState
    let interval: Duration
    let work: @Sendable () async throws -> AuditState.Result

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = try? await state.refresh(work).value
                try? await Task.sleep(for: interval)
            }
        }
    }
}
