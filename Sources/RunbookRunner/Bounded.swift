import RunbookCore

/// Runs `body` for at most `limit`, then gives up on it: teardown (closing connections,
/// releasing the lock) must never keep a finished run from exiting.
public func bounded(_ limit: Duration, _ body: @escaping @Sendable () async -> Void) async {
    _ = try? await withDeadline(limit, grace: .zero) { await body() }
}
