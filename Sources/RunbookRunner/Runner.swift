import Foundation
import HTTPTypes
public import Hummingbird
public import Logging
import NIOCore
import RunbookCore

/// The team's runner as an HTTP service (`runbook runner`): `POST /runs` takes a signed run
/// request and streams the run back as NDJSON (``RunnerEvent``); `GET /health` says the
/// replica and the policy digest it enforces; with an alert handler, `POST /api/alerts` takes
/// Alertmanager's webhook (docs/alerts.md). Stateless: every replica over one ledger.
public struct Runner: Sendable {
    /// Answers Alertmanager's webhook: the request and the sender's address.
    public typealias AlertHandler = @Sendable (Request, String?) async -> Response

    let service: RunnerService
    let logger: Logger
    let alerts: (path: String, handler: AlertHandler)?

    /// A runner; `alerts`: where Alertmanager's webhook is mounted and what answers it (nil: not mounted).
    public init(configuration: RunnerConfiguration, logger: Logger, alerts: (path: String, handler: AlertHandler)? = nil) {
        service = RunnerService(configuration: configuration)
        self.logger = logger
        self.alerts = alerts
    }

    /// The application, shut down by the caller's service group. `onRunning` gets the port.
    public func makeApplication(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router(context: RunnerContext.self)
        if let alerts {
            router.post(RouterPath(alerts.path)) { request, context -> Response in
                await alerts.handler(request, context.remoteAddress?.ipAddress)
            }
        }
        let service = self.service
        let configuration = service.configuration
        router.get("/health") { _, _ -> Response in
            let body = RunnerEvent.jsonLine(["replica": configuration.replica, "environment": configuration.environment.name,
                                             "policy": configuration.policy.digest, "principal": configuration.principal])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        router.post("/runs") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let accepted: RunnerService.Accepted
            do throws(RunnerService.Refusal) { accepted = try await service.accept(String(buffer: buffer)) } catch {
                let body = RunnerEvent.err("error: runner: \(error.message)\n").line + RunnerEvent.exit(error.exitCode).line
                return Response(status: .init(code: error.status), headers: [.contentType: "application/x-ndjson"],
                                body: .init(byteBuffer: ByteBuffer(string: body)))
            }
            return Response(status: .ok, headers: [.contentType: "application/x-ndjson", .cacheControl: "no-store"],
                            body: ResponseBody { writer in
                                do {
                                    for await event in accepted.events {
                                        try await writer.write(ByteBuffer(string: event.line))
                                    }
                                    try await writer.finish(nil)
                                } catch {
                                    // The client is gone: the run is cancelled (recorded as
                                    // interrupted) and goes on to its end record meanwhile.
                                    accepted.cancellation.cancel()
                                    for await _ in accepted.events {}
                                    throw error
                                }
                            })
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "runbook-runner"),
            services: [RunnerSweeper(configuration: configuration, logger: logger)],
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }
}
