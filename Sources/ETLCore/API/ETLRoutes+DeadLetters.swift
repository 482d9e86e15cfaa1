import Hummingbird

extension ETLRoutes {
    func listDeadLetters(_ request: Request) async throws -> Response {
        let resolved: Bool?
        switch request.uri.queryParameters["status"].map(String.init) ?? "unresolved" {
        case "unresolved": resolved = false
        case "resolved": resolved = true
        case "all": resolved = nil
        default: throw APIError.badRequest("status must be one of unresolved, resolved, all")
        }
        let errorType = try QueryParameters.errorType(request, name: "error_type")
        let limit = try QueryParameters.limit(request)
        return JSONBody.response(json: try await store.deadLettersJSON(resolved: resolved, errorType: errorType, limit: limit))
    }

    func resolveTransient(_ request: Request) async throws -> Response {
        let (resolved, requeued) = try await store.resolveTransient()
        events.write(.info, "api", "dlq resolve-transient resolved=\(resolved) requeued=\(requeued)")
        events.audit(actor: RequestActor.name(of: request), action: "dlq.resolve_transient", target: "dlq:transient",
                     result: "ok", detail: "resolved=\(resolved) requeued=\(requeued)")
        return JSONBody.response(encoding: ["resolved": resolved, "requeued": requeued])
    }

    func resolve(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let id = try QueryParameters.id(context)
        let actor = RequestActor.name(of: request)
        switch try await store.resolveDeadLetter(id: id) {
        case .notFound:
            events.audit(actor: actor, action: "dlq.resolve", target: "dlq:\(id)", result: "not_found")
            throw APIError.notFound("dlq entry \(id) not found")
        case .alreadyResolved:
            events.audit(actor: actor, action: "dlq.resolve", target: "dlq:\(id)", result: "already_resolved")
            throw APIError(.conflict, "dlq entry \(id) is already resolved")
        case .resolved:
            events.write(.info, "api", "dlq_id=\(id) resolved")
            events.audit(actor: actor, action: "dlq.resolve", target: "dlq:\(id)", result: "ok")
            return JSONBody.response(json: try await store.deadLetterJSON(id: id) ?? #"{"id":\#(id),"resolved":true}"#)
        }
    }
}
