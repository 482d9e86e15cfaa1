import Hummingbird
import PostgresNIO

/// Turns every failure into `{"error": "..."}`: unknown routes (404), Hummingbird's own
/// errors (malformed bodies are 400), database failures (503) and anything else (500,
/// logged, with no internal detail in the answer).
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let events: EventLog

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            let message: String
            switch error.status {
            case .notFound: message = "not found: \(request.method) \(request.uri.path)"
            default: message = error.body ?? error.status.reasonPhrase
            }
            return try APIError(error.status, message).response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            return try APIError(error.status, error.status.reasonPhrase).response(from: request, context: context)
        } catch let error as PSQLError {
            events.error("api", fileID: nil, errorType: ErrorType.connection.rawValue,
                         "\(request.method) \(request.uri.path) database error: \(PostgresErrorText.describe(error))")
            return try APIError(.serviceUnavailable, "database unavailable").response(from: request, context: context)
        } catch is CancellationError {
            throw CancellationError()
        } catch let error where PostgresErrorText.isConnectionFailure(error) {
            events.error("api", fileID: nil, errorType: ErrorType.connection.rawValue,
                         "\(request.method) \(request.uri.path) database unreachable: \(PostgresErrorText.describe(error))")
            return try APIError(.serviceUnavailable, "database unavailable").response(from: request, context: context)
        } catch {
            events.write(.error, "api", "\(request.method) \(request.uri.path) failed: \(error)")
            return try APIError(.internalServerError, "internal error").response(from: request, context: context)
        }
    }
}
