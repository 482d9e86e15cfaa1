import Hummingbird

/// The `stalled` fault: holds every request except `/admin/faults` until the fault is
/// cleared, or answers 503 after the stall limit, as a hung service would behave to a
/// client with a long timeout.
struct StallMiddleware<Context: RequestContext>: RouterMiddleware {
    let faults: FaultInjector
    let limit: Duration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if faults.current.stalled && !request.uri.path.hasPrefix("/admin/") {
            let clock = ContinuousClock()
            let deadline = clock.now + limit
            while faults.current.stalled {
                guard clock.now < deadline else {
                    throw APIError(.serviceUnavailable, "service stalled")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        return try await next(request, context)
    }
}
