public import Hummingbird
public import Logging
public import RunbookCore

/// Alertmanager's webhook (`POST /api/alerts`, docs/alerts.md) as one handler that any of our
/// servers mounts: the console (`runbook serve`) and the team's runner (`runbook runner`), the
/// place the design routes Alertmanager to. Both answer with the same ``AlertReceiver``.
public struct AlertWebhook: Sendable {
    let receiver: AlertReceiver

    /// The webhook of `environment`, recording in the ledger at `ledgerURL`.
    public init(configuration: AlertReceiverConfiguration, environment: RunbookCore.Environment, ledgerURL: String, logger: Logger) {
        var logger = logger
        logger.logLevel = .info
        receiver = AlertReceiver(configuration: configuration, environment: environment, ledgerURL: ledgerURL, logger: logger)
    }

    /// The answer to a request at ``AlertReceiverConfiguration/path``; `peer` is the sender's
    /// address (for the log line of a refusal).
    public func respond(to request: Request, peer: String?) async -> Response {
        guard request.method == .post else {
            return AlertReceiver.json(.methodNotAllowed, .object([("error", "POST Alertmanager's webhook payload here")]))
        }
        return await receiver.handle(request, peer: peer ?? "?")
    }
}
