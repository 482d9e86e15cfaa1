import Hummingbird

extension ETLRoutes {
    func setFaults(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let patch = try await request.decode(as: FaultPatch.self, context: context)
        switch faults.apply(patch) {
        case .failure(let error):
            throw APIError.badRequest(error.message)
        case .success(let settings):
            let summary = Self.summary(settings)
            events.write(.warn, "admin", "faults set \(summary)")
            events.audit(actor: RequestActor.name(of: request), action: "admin.faults_set", target: "faults", result: "ok", detail: summary)
            return JSONBody.response(encoding: settings)
        }
    }

    func clearFaults(_ request: Request) -> Response {
        faults.clear()
        events.write(.info, "admin", "faults cleared")
        events.audit(actor: RequestActor.name(of: request), action: "admin.faults_clear", target: "faults", result: "ok")
        return JSONBody.response(encoding: faults.current)
    }

    static func summary(_ settings: FaultSettings) -> String {
        "connection_error_rate=\(settings.connectionErrorRate) slow_ms=\(settings.slowMilliseconds) worker_stopped=\(settings.workerStopped) stalled=\(settings.stalled)"
    }
}
