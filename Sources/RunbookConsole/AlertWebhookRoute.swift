import Hummingbird
import RunbookCore

/// `POST /api/alerts` answered by the ``AlertReceiver`` ahead of the console's sign-on and
/// form checks (Alertmanager is no browser: it proves itself with its own bearer token).
struct AlertWebhookRoute: RouterMiddleware {
    typealias Context = ConsoleContext
    let receiver: AlertReceiver

    func handle(_ request: Request, context: ConsoleContext, next: (Request, ConsoleContext) async throws -> Response) async throws -> Response {
        guard request.uri.path == AlertReceiverConfiguration.path else { return try await next(request, context) }
        guard request.method == .post else {
            return AlertReceiver.json(.methodNotAllowed, .object([("error", "POST Alertmanager's webhook payload here")]))
        }
        return await receiver.handle(request, context)
    }
}
