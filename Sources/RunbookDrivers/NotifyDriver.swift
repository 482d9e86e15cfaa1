import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
public import RunbookCore

/// Delivers a rendered notification to each of its channels (at once, each on its own):
///
/// * `slack`, `teams`, `webhook`: a JSON `POST` (see ``NotifyPayload``); a webhook's body is
///   signed (`X-Runbook-Signature: sha256=<HMAC-SHA256 of the body>`). A 2xx is delivered.
/// * `email`: one message through SMTP (``SMTPClient``), STARTTLS when offered.
/// * `file`: appended with a header line (`=== time step (template) ===`); the built-in `log`.
/// * `stdout`: nothing to do: the run's output shows the message.
///
/// Each try has the channel's `timeout` (10s by default); a `429`, a `5xx`, no answer or a
/// transient SMTP reply is tried again as ``NotifyRetryPolicy`` says (three tries, honouring
/// `Retry-After`). Delivery never throws for a receiver's failure: the step comes back not
/// succeeded, with every channel's answer (status and a short excerpt of the body) in its
/// result, excerpt and failure. Only a channel that cannot be used at all (its URL or secret
/// unset) throws a configuration error, before anything is sent.
///
/// The message is redacted before it leaves; URLs and secrets are never in the result.
public struct NotifyDriver: StepDriver {
    let http: HTTPDriver
    let eventLoops: DriverEventLoops
    /// When a failed delivery is tried again.
    public let policy: NotifyRetryPolicy
    /// How long one try may take when the channel does not say.
    public let tryTimeout: Duration
    /// The longest excerpt of a receiver's answer kept.
    static let answerLimit = 300
    /// The SMTP client to use (tests give one that trusts their certificate); nil makes one per message.
    let smtpClient: SMTPClient?

    /// A driver posting through `http`'s client (the run's; it is not shut down here) and
    /// connecting to SMTP servers on `eventLoops`.
    public init(http: HTTPDriver, eventLoops: DriverEventLoops = .singleton, policy: NotifyRetryPolicy = .init(),
                tryTimeout: Duration = .seconds(10))
    {
        self.http = http
        self.eventLoops = eventLoops
        self.policy = policy
        self.tryTimeout = tryTimeout
        self.smtpClient = nil
    }

    init(http: HTTPDriver, eventLoops: DriverEventLoops, policy: NotifyRetryPolicy, tryTimeout: Duration, smtp: SMTPClient) {
        self.http = http
        self.eventLoops = eventLoops
        self.policy = policy
        self.tryTimeout = tryTimeout
        self.smtpClient = smtp
    }

    /// What became of one channel.
    struct Delivery: Sendable {
        var channel: NotifyChannel
        var delivered: Bool
        var attempts: Int
        /// The HTTP status or SMTP reply code of the last answer; nil when none came.
        var code: Int?
        /// A short, redacted excerpt of the last answer (or why none came).
        var answer: String
        /// Why it was not delivered (the give-up reason); nil when delivered.
        var failure: String?

        var value: Value {
            .object([("name", .string(channel.name)), ("type", .string(channel.kind.rawValue)), ("delivered", .bool(delivered)),
                     ("attempts", .int(attempts)), ("status", code.map(Value.int) ?? .null), ("answer", .string(answer)),
                     ("error", failure.map(Value.string) ?? .null)] + (channel.kind == .file ? [("path", .string(channel.path ?? ""))] : []))
        }

        /// `incident (slack): delivered, HTTP 200 (1 try)` or `... failed: HTTP 500 after 3 tries: {"error":"boom"}`.
        var line: String {
            let what = code.map { channel.kind == .email ? "SMTP \($0)" : "HTTP \($0)" }
            if delivered {
                return "\(channel.display): delivered" + (what.map { ", \($0)" } ?? "") + (attempts > 1 ? " (\(attempts) tries)" : "")
            }
            var text = "\(channel.display): not delivered"
            if let what { text += ", \(what)" }
            text += " — \(failure ?? "failed")"
            if !answer.isEmpty { text += ": \(answer)" }
            return text
        }
    }

    public func execute(_ command: RenderedCommand, context: DriverContext) async throws -> DriverOutput {
        guard case .notify(let n) = command else { throw DriverError("the notify driver got a \(command.kind.rawValue) command") }
        // Refused before anything is sent: a channel without its URL or secret.
        for channel in n.channels { try Self.checkUsable(channel, environment: context.environment) }
        let message = context.redactor.redact(n.message)
        // Everything sent is built from the redacted message (its title included).
        let redacted = RenderedCommand.NotifyCommand(template: n.template, message: message, channels: n.channels, origin: n.origin)
        let started = ContinuousClock.now
        let deliveries = await withTaskGroup(of: (Int, Delivery).self) { group in
            for (index, channel) in n.channels.enumerated() {
                group.addTask { (index, await self.deliver(redacted, message: message, to: channel, context: context, started: started)) }
            }
            var out = [Delivery?](repeating: nil, count: n.channels.count)
            for await (index, delivery) in group { out[index] = delivery }
            return out.compactMap { $0 }
        }
        if Task.isCancelled { throw CancellationError() }
        let failed = deliveries.filter { !$0.delivered }
        let excerpt = deliveries.map(\.line).joined(separator: "\n")
        let result = Value.object([
            ("message", .string(message)), ("channels", .list(deliveries.map(\.value))),
            ("delivered_to", .string(deliveries.filter(\.delivered).map { $0.channel.kind == .file ? $0.channel.path ?? $0.channel.name : $0.channel.name }.joined(separator: ", "))),
        ])
        var digest = SHA256()
        digest.update(data: Array(message.utf8))
        digest.update(data: Array(excerpt.utf8))
        return DriverOutput(result: result, succeeded: failed.isEmpty, excerpt: context.redactor.redact(excerpt),
                            digest: Hex.encode(digest.finalize()),
                            failure: failed.isEmpty ? nil : context.redactor.redact(failed.map(\.line).joined(separator: "; ")))
    }

    /// Throws a configuration error naming the environment's file and key when `channel` lacks
    /// what it needs to be used (an unset variable leaves its URL or secret empty).
    static func checkUsable(_ channel: NotifyChannel, environment: Environment) throws(DriverError) {
        let file = environment.path ?? "environment '\(environment.name)'"
        func missing(_ key: String) -> DriverError {
            let variable = environment.unsetVariables["notify.channels.\(channel.name).\(key)"].map { ": set \($0)" } ?? ""
            return DriverError(.configuration, "\(file): notify.channels.\(channel.name).\(key) is empty\(variable); nothing was sent to \(channel.display)")
        }
        switch channel.kind {
        case .slack, .teams:
            if channel.url?.isEmpty ?? true { throw missing("url") }
        case .webhook:
            if channel.url?.isEmpty ?? true { throw missing("url") }
            if channel.secret?.isEmpty ?? true { throw missing("secret") }
        case .email:
            guard let email = channel.email else { throw missing("host") }
            if email.host.isEmpty { throw missing("host") }
            if email.from.isEmpty { throw missing("from") }
            if email.to.isEmpty || email.to.contains(where: \.isEmpty) { throw missing("to") }
        case .file:
            if channel.path?.isEmpty ?? true { throw missing("path") }
        case .stdout:
            break
        }
    }

    func deliver(_ n: RenderedCommand.NotifyCommand, message: String, to channel: NotifyChannel, context: DriverContext,
                 started: ContinuousClock.Instant) async -> Delivery
    {
        switch channel.kind {
        case .stdout:
            return Delivery(channel: channel, delivered: true, attempts: 1, answer: "")
        case .file:
            return append(n, message: message, to: channel, context: context)
        case .slack:
            return await post(JSON.encode(NotifyPayload.slack(n, message: message)), headers: [], to: channel, context: context, started: started)
        case .teams:
            return await post(JSON.encode(NotifyPayload.teams(n, message: message)), headers: [], to: channel, context: context, started: started)
        case .webhook:
            let body = JSON.encode(NotifyPayload.webhook(n, message: message, channel: channel.name, sentAt: Date()))
            let signature = NotifyPayload.signature(body: body, secret: channel.secret ?? "")
            return await post(body, headers: [(NotifyPayload.signatureHeader, signature)], to: channel, context: context, started: started)
        case .email:
            return await mail(n, message: message, to: channel, context: context, started: started)
        }
    }

    func append(_ n: RenderedCommand.NotifyCommand, message: String, to channel: NotifyChannel, context: DriverContext) -> Delivery {
        let path = channel.path ?? ""
        let entry = "=== \(AuditLog.timestamp(Date())) \(context.stepID) (\(n.template)) ===\n\(message)\n\n"
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(entry.utf8))
            return Delivery(channel: channel, delivered: true, attempts: 1, answer: "")
        } catch {
            return Delivery(channel: channel, delivered: false, attempts: 1, answer: "",
                            failure: "cannot append to \(path): \((error as NSError).localizedDescription)")
        }
    }

    /// The time left before the step's deadline.
    static func remaining(_ context: DriverContext, since started: ContinuousClock.Instant) -> Duration {
        context.timeout - (ContinuousClock.now - started)
    }

    func post(_ body: String, headers: [(String, String)], to channel: NotifyChannel, context: DriverContext,
              started: ContinuousClock.Instant) async -> Delivery
    {
        var delivery = Delivery(channel: channel, delivered: false, attempts: 0, answer: "")
        let client: HTTPClient
        do { client = try http.client() } catch {
            delivery.failure = error.message
            return delivery
        }
        var redactor = context.redactor
        for secret in channel.secrets { redactor.add(secret) }
        while true {
            delivery.attempts += 1
            let limit = min(channel.timeout ?? tryTimeout, Self.remaining(context, since: started))
            var request = HTTPClientRequest(url: channel.url ?? "")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.headers.add(name: "User-Agent", value: "conecta-runbook")
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.body = .bytes(ByteBuffer(string: body))
            var retryAfter: String?
            do {
                let response = try await client.execute(request, deadline: .now() + .milliseconds(max(1, limit.milliseconds)))
                let (bytes, truncated) = (try? await HTTPDriver.read(response.body, limit: 4096)) ?? ([], false)
                delivery.code = Int(response.status.code)
                delivery.answer = Self.excerpt(String(decoding: bytes, as: UTF8.self), truncated: truncated, redactor: redactor)
                if (200..<300).contains(Int(response.status.code)) {
                    delivery.delivered = true
                    delivery.failure = nil
                    return delivery
                }
                retryAfter = response.headers.first(name: "retry-after")
            } catch {
                if Task.isCancelled {
                    delivery.failure = "interrupted"
                    return delivery
                }
                delivery.code = nil
                delivery.answer = ""
                delivery.failure = redactor.redact(HTTPDriver.reason(error, timeout: limit))
            }
            let why = delivery.code.map { "HTTP \($0)" } ?? delivery.failure ?? "no answer"
            switch policy.decide(attempt: delivery.attempts, retryable: NotifyRetryPolicy.retryable(httpStatus: delivery.code),
                                 retryAfter: retryAfter, remaining: Self.remaining(context, since: started))
            {
            case .retry(let wait):
                do { try await Task.sleep(for: wait) } catch {
                    delivery.failure = "interrupted"
                    return delivery
                }
            case .giveUp(let reason):
                delivery.failure = delivery.code == nil ? "\(why); \(reason)" : reason
                return delivery
            }
        }
    }

    func mail(_ n: RenderedCommand.NotifyCommand, message: String, to channel: NotifyChannel, context: DriverContext,
              started: ContinuousClock.Instant) async -> Delivery
    {
        var delivery = Delivery(channel: channel, delivered: false, attempts: 0, answer: "")
        guard let email = channel.email else { return delivery }
        var redactor = context.redactor
        for secret in channel.secrets { redactor.add(secret) }
        let smtp = smtpClient ?? SMTPClient(group: eventLoops.group)
        let mail = EmailMessage.notification(n, message: message, email: email)
        while true {
            delivery.attempts += 1
            let limit = min(channel.timeout ?? tryTimeout, Self.remaining(context, since: started))
            var transient = true
            do {
                let answer = try await withDeadline(limit, grace: .milliseconds(200)) {
                    try await smtp.send(mail, via: email, connectTimeout: limit)
                }
                delivery.delivered = true
                delivery.code = 250
                delivery.answer = Self.excerpt(answer, truncated: false, redactor: redactor)
                delivery.failure = nil
                return delivery
            } catch let failure as SMTPClient.Failure {
                delivery.code = failure.code
                delivery.answer = ""
                delivery.failure = redactor.redact(failure.message)
                transient = failure.transient
            } catch is TimeoutError {
                delivery.code = nil
                delivery.failure = "no answer within \(DurationText.format(limit))"
            } catch {
                if Task.isCancelled {
                    delivery.failure = "interrupted"
                    return delivery
                }
                delivery.failure = redactor.redact("\(error)")
            }
            switch policy.decide(attempt: delivery.attempts, retryable: transient, remaining: Self.remaining(context, since: started)) {
            case .retry(let wait):
                do { try await Task.sleep(for: wait) } catch {
                    delivery.failure = "interrupted"
                    return delivery
                }
            case .giveUp(let reason):
                delivery.failure = "\(delivery.failure ?? "failed"); \(reason)"
                return delivery
            }
        }
    }

    /// A receiver's answer as shown: redacted, on one line, at most ``answerLimit`` characters.
    static func excerpt(_ text: String, truncated: Bool, redactor: Redactor) -> String {
        let flat = redactor.redact(text).split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
        if flat.count > answerLimit || truncated { return String(flat.prefix(answerLimit)) + "…" }
        return flat
    }
}
