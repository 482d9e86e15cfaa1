import HTTPTypes
public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
import NIOSSL
import RunbookCore
import RunbookDrivers
import RunbookLedger

/// `runbook serve`: the web console over an environment's ledger (docs/console.md). Stateless:
/// every page reads the ledger, live updates come from its `LISTEN/NOTIFY`, so several
/// consoles can serve one ledger.
public struct Console: Sendable {
    let configuration: ConsoleConfiguration
    let logger: Logger

    public init(configuration: ConsoleConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The application: the HTTP server and the event hub, shut down cleanly on SIGTERM/SIGINT
    /// by the caller's service group. `onRunning` gets the port it listens on (for `--listen
    /// HOST:0`). Throws when the TLS certificate or key (``ConsoleConfiguration/tls``) cannot be
    /// read.
    public func makeApplication(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        var server: HTTPServerBuilder = .http1()
        if let tls = configuration.tls {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
            let tlsConfiguration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: NIOSSLPrivateKeySource.privateKey(key))
            server = try HTTPServerBuilder.tls(HTTPServerBuilder.http1(), tlsConfiguration: tlsConfiguration)
        }
        let eventLoops = DriverEventLoops(threads: 1)
        let pool = LedgerPool(url: configuration.ledgerURL, size: configuration.poolSize, eventLoops: eventLoops)
        let views = ConsoleViews(environment: configuration.environment.name)
        let hub = EventHub(url: configuration.ledgerURL, pool: pool, views: views, eventLoops: eventLoops, logger: logger)
        let router = Router(context: ConsoleContext.self)
        // Alertmanager's webhook authenticates with its own token, before the console's sign-on.
        if let alerts = configuration.alertReceiver {
            let webhook = AlertWebhook(configuration: alerts, environment: configuration.environment, ledgerURL: configuration.ledgerURL, logger: logger)
            router.add(middleware: AlertWebhookRoute(webhook: webhook))
        }
        router.add(middleware: SecurityHeaders())
        router.add(middleware: ConsoleAuth(trustedProxies: configuration.trustedProxies, proxySecret: configuration.proxySecret, tokens: configuration.tokens, views: views,
                                           cookies: configuration.cookies))
        let routes = ConsoleRoutes(configuration: configuration, pool: pool, hub: hub, views: views, audit: AuditState(), metrics: ConsoleMetrics())
        routes.register(on: router)
        let refresher = AuditRefresher(state: routes.audit, interval: configuration.auditInterval) { try await routes.verify() }
        return Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "runbook-console"),
            services: [hub, refresher],
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }
}

/// Headers on every answer: no framing, no sniffing, scripts and styles only from the console.
struct SecurityHeaders: RouterMiddleware {
    typealias Context = ConsoleContext

    func handle(_ request: Request, context: ConsoleContext, next: (Request, ConsoleContext) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        return response
    }
}
