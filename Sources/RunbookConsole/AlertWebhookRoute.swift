import Hummingbird
import RunbookCore

/// `POST /api/alerts` answered by the ``AlertWebhook`` ahead of the console's sign-on and
/// form checks (Alertmanager is no browser: it proves itself with its own bearer token).
struct AlertWebhookRoute: RouterMiddleware {
    typealias Context = ConsoleContext
    let webhook: AlertWebhook

    func handle(_ request: Request, context: ConsoleContext, next: (Request, ConsoleContext) async throws -> Response) async throws -> Response {
        guard request.uri.path == AlertReceiverConfiguration.path else { return try await next(request, context) }
        return await webhook.respond(to: request, peer: context.remoteAddress?.ipAddress)
    }
}
