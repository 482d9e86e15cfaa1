import Crypto
import Foundation
import NIOSSL
import RunbookCore
import Testing
@testable import RunbookDrivers

/// The notify driver against real local receivers: what arrives (Slack, Teams, webhook
/// shapes, the HMAC, an email's headers and body), retries, give-up, redaction.
@Suite("Notify channels against real receivers")
struct NotifyDriverTests {
    static let message = "📊 INCIDENT UPDATE: ETL Pipeline Issue\n\nStatus: Identified\n.a line that starts with a dot\n\"quotes\" and } braces"
    static let origin = NotifyOrigin(runbook: "scenario-2-high-error-rate", title: "Cenário 2", runID: "20261201T120000Z-abcdef",
                                     environment: "test", step: "incident-update", status: "red")
    /// Fast retries for tests that do not look at the wait itself.
    static let quick = NotifyRetryPolicy(backoff: .milliseconds(10))

    static func command(_ channels: [NotifyChannel], message: String = message) -> RenderedCommand {
        .notify(.init(template: "incident-update", message: message, channels: channels, origin: origin))
    }

    /// Delivers `command` with a fresh driver (its own HTTP client, shut down after). The
    /// time limits are generous: they only detect a hang, and the whole suite runs in parallel
    /// on two cores (an SMTP exchange starved for seconds must not read as "no answer").
    static func deliver(_ command: RenderedCommand, environment: Environment = .empty(name: "test"), secrets: [String] = [],
                        policy: NotifyRetryPolicy = quick, timeout: Duration = .seconds(120)) async throws -> DriverOutput
    {
        let http = HTTPDriver()
        let driver = NotifyDriver(http: http, policy: policy, tryTimeout: .seconds(60))
        let context = DriverContext(stepID: "incident-update", kind: .notify, timeout: timeout, environment: environment,
                                    redactor: Redactor(secrets: environment.secrets + secrets))
        do {
            let output = try await driver.execute(command, context: context)
            await http.shutdown()
            return output
        } catch {
            await http.shutdown()
            throw error
        }
    }

    static func deliveries(_ output: DriverOutput) -> [Value] { output.result["channels"]?.listValue ?? [] }

    @Test func slackGetsTextAndBlocks() async throws {
        let receiver = TestNotifyReceiver()
        let output = try await receiver.with { base in
            try await Self.deliver(Self.command([NotifyChannel(name: "incident", kind: .slack, url: "\(base)/slack")]))
        }
        #expect(output.succeeded)
        let got = try #require(await receiver.received("slack").first)
        #expect(got.headers["content-type"]?.hasPrefix("application/json") == true)
        let json = try #require(got.json as? [String: Any])
        #expect(json["text"] as? String == Self.message)
        let blocks = try #require(json["blocks"] as? [[String: Any]])
        #expect(blocks.map { $0["type"] as? String } == ["header", "section", "context"])
        #expect((blocks[0]["text"] as? [String: Any])?["text"] as? String == "📊 INCIDENT UPDATE: ETL Pipeline Issue")
        #expect((blocks[1]["text"] as? [String: Any])?["type"] as? String == "mrkdwn")
        #expect((blocks[1]["text"] as? [String: Any])?["text"] as? String == Self.message)
        let context = ((blocks[2]["elements"] as? [[String: Any]])?.first?["text"] as? String) ?? ""
        #expect(context.contains("run 20261201T120000Z-abcdef") && context.contains("scenario-2-high-error-rate"))
        #expect(Self.deliveries(output).first?["status"] == .int(200))
        #expect(output.excerpt == "incident (slack): delivered, HTTP 200")
    }

    @Test func teamsGetsAnAdaptiveCard() async throws {
        let receiver = TestNotifyReceiver(script: ["teams": [.init(status: .accepted, body: "")]])
        let output = try await receiver.with { base in
            try await Self.deliver(Self.command([NotifyChannel(name: "status", kind: .teams, url: "\(base)/teams")]))
        }
        #expect(output.succeeded, "\(output.excerpt)")
        let json = try #require(await receiver.received("teams").first?.json as? [String: Any])
        #expect(json["type"] as? String == "message")
        let attachment = try #require((json["attachments"] as? [[String: Any]])?.first)
        #expect(attachment["contentType"] as? String == "application/vnd.microsoft.card.adaptive")
        let card = try #require(attachment["content"] as? [String: Any])
        #expect(card["type"] as? String == "AdaptiveCard")
        #expect(card["version"] as? String == "1.4")
        let body = try #require(card["body"] as? [[String: Any]])
        #expect(body.map { $0["type"] as? String } == ["RichTextBlock", "RichTextBlock", "FactSet"])
        let runs = body.prefix(2).map { (($0["inlines"] as? [[String: Any]])?.first) }
        #expect(runs.map { $0?["type"] as? String } == ["TextRun", "TextRun"])
        #expect(runs[0]?["text"] as? String == "📊 INCIDENT UPDATE: ETL Pipeline Issue")
        #expect(runs[1]?["text"] as? String == Self.message)
        let facts = (body[2]["facts"] as? [[String: String]]) ?? []
        #expect(facts.contains { $0["title"] == "Run" && $0["value"] == "20261201T120000Z-abcdef" })
        #expect(facts.contains { $0["title"] == "Status" && $0["value"] == "RED" })
    }

    @Test func webhookBodyIsSignedWithTheSecret() async throws {
        let secret = "whsec-Very-Secret-0001"
        let receiver = TestNotifyReceiver()
        let output = try await receiver.with { base in
            try await Self.deliver(Self.command([NotifyChannel(name: "pager", kind: .webhook, url: "\(base)/hook", secret: secret)]))
        }
        #expect(output.succeeded)
        let got = try #require(await receiver.received("hook").first)
        // The receiver's check: HMAC-SHA256 of the exact bytes received, with the shared secret.
        let mac = HMAC<SHA256>.authenticationCode(for: Data(got.body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        let expected = "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
        #expect(got.headers["x-runbook-signature"] == expected)
        let wrong = HMAC<SHA256>.authenticationCode(for: Data(got.body.utf8), using: SymmetricKey(data: Data("other".utf8)))
        #expect(got.headers["x-runbook-signature"] != "sha256=" + wrong.map { String(format: "%02x", $0) }.joined())
        let json = try #require(got.json as? [String: Any])
        #expect(json["event"] as? String == "runbook.notify")
        #expect(json["channel"] as? String == "pager")
        #expect(json["message"] as? String == Self.message)
        #expect(json["run_id"] as? String == "20261201T120000Z-abcdef")
        #expect(json["sent_at"] is String)
        #expect(!got.body.contains(secret))
    }

    @Test func a500IsTriedAgainUntilItIsDelivered() async throws {
        let receiver = TestNotifyReceiver(script: ["flaky": [.init(status: .internalServerError, body: "busy"), .init(status: .ok)]])
        let output = try await receiver.with { base in
            try await Self.deliver(Self.command([NotifyChannel(name: "incident", kind: .slack, url: "\(base)/flaky")]))
        }
        #expect(output.succeeded)
        #expect(await receiver.received("flaky").count == 2)
        #expect(Self.deliveries(output).first?["attempts"] == .int(2))
        #expect(output.excerpt == "incident (slack): delivered, HTTP 200 (2 tries)")
    }

    @Test func a429IsTriedAgainAfterItsRetryAfter() async throws {
        // Without Retry-After the backoff (300s) would not fit in the step's 120s: only the
        // receiver's 1s lets the second try happen (120s: room for a starved test process).
        let receiver = TestNotifyReceiver(script: ["busy": [.init(status: .tooManyRequests, headers: ["Retry-After": "1"], body: "rate_limited"),
                                                            .init(status: .ok)]])
        let clock = ContinuousClock()
        let started = clock.now
        let output = try await receiver.with { base in
            try await Self.deliver(Self.command([NotifyChannel(name: "incident", kind: .slack, url: "\(base)/busy")]),
                                   policy: NotifyRetryPolicy(backoff: .seconds(300)), timeout: .seconds(120))
        }
        #expect(output.succeeded, "\(output.excerpt)")
        #expect(await receiver.received("busy").count == 2)
        #expect(clock.now - started >= .seconds(1), "the second try came before the Retry-After")
    }

    @Test func aRetryAfterBeyondTheBoundGivesUpAtOnce() async throws {
        let receiver = TestNotifyReceiver(script: ["slow": [.init(status: .tooManyRequests, headers: ["Retry-After": "120"], body: "rate_limited")]])
        let output = try await receiver.with { base in
            try await Self.deliver(Self.command([NotifyChannel(name: "incident", kind: .slack, url: "\(base)/slow")]))
        }
        #expect(!output.succeeded)
        #expect(await receiver.received("slow").count == 1)
        #expect(output.failure?.contains("asked to retry after 120s") == true, "\(output.failure ?? "")")
    }

    @Test func afterThreeFailedTriesTheChannelsAnswerIsTheFailure() async throws {
        let receiver = TestNotifyReceiver(script: ["down": [.init(status: .internalServerError, body: "{\"error\":\"boom\"}")]])
        let output = try await receiver.with { base in
            try await Self.deliver(Self.command([NotifyChannel(name: "incident", kind: .slack, url: "\(base)/down"),
                                                 NotifyChannel(name: "stdout", kind: .stdout)]))
        }
        #expect(!output.succeeded)
        #expect(await receiver.received("down").count == 3)
        let failure = try #require(output.failure)
        #expect(failure == #"incident (slack): not delivered, HTTP 500 — gave up after 3 tries: {"error":"boom"}"#)
        #expect(Self.deliveries(output).map { $0["delivered"] } == [.bool(false), .bool(true)])
    }

    @Test func aClientErrorIsNotTriedAgain() async throws {
        let receiver = TestNotifyReceiver(script: ["gone": [.init(status: .notFound, body: "no_service")]])
        let output = try await receiver.with { base in
            try await Self.deliver(Self.command([NotifyChannel(name: "incident", kind: .slack, url: "\(base)/gone")]))
        }
        #expect(!output.succeeded)
        #expect(await receiver.received("gone").count == 1)
        #expect(output.failure?.contains("HTTP 404") == true && output.failure?.contains("no_service") == true)
    }

    @Test func aReceiverThatIsNotThereFailsAfterThreeTries() async throws {
        // Port 1 (tcpmux): nobody listens there, and no test's receiver can be given it.
        let base = "http://127.0.0.1:1"
        let output = try await Self.deliver(Self.command([NotifyChannel(name: "incident", kind: .slack, url: "\(base)/slack")]))
        #expect(!output.succeeded)
        #expect(Self.deliveries(output).first?["attempts"] == .int(3))
        #expect(output.failure?.contains("gave up after 3 tries") == true, "\(output.failure ?? "")")
    }

    @Test func secretsNeverLeaveAndNeverShow() async throws {
        let secret = "whsec-Never-Shown-42"
        let token = "tok-Run-Secret-999"
        let receiver = TestNotifyReceiver(script: ["hook-T0PS3CRET": [.init(status: .internalServerError, body: "echo \(token)")]])
        let (output, url) = try await receiver.with { base in
            let url = "\(base)/hook-T0PS3CRET"
            let output = try await Self.deliver(Self.command([NotifyChannel(name: "pager", kind: .webhook, url: url, secret: secret)],
                                                             message: "token=\(token)"),
                                                environment: Environment(name: "test", secrets: [token, url, secret]))
            return (output, url)
        }
        let sent = await receiver.received("hook-T0PS3CRET")
        #expect(sent.count == 3)
        #expect(sent.allSatisfy { !$0.body.contains(token) && $0.body.contains("token=***") }, "\(sent.first?.body ?? "")")
        let shown = JSON.encode(output.result) + output.excerpt + (output.failure ?? "")
        for hidden in [secret, token, url, "T0PS3CRET"] { #expect(!shown.contains(hidden), "\(hidden) shown in \(shown)") }
    }

    @Test func anUnsetURLIsAConfigurationErrorAndNothingIsSent() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("notify-env-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home.appendingPathComponent("environments"), withIntermediateDirectories: true)
        try "environment: t\nnotify:\n  channels:\n    incident: {type: slack, url: \"${NO_SUCH_SLACK_URL}\"}\n"
            .write(to: home.appendingPathComponent("environments/t.yaml"), atomically: true, encoding: .utf8)
        let env = try Environment.load(name: "t", home: home, processEnvironment: [:])
        let channel = try #require(env.notifyChannel(named: "incident", home: home))
        let message = await errorMessage { try await Self.deliver(Self.command([channel]), environment: env) }
        #expect(message == "environments/t.yaml: notify.channels.incident.url is empty: set NO_SUCH_SLACK_URL; nothing was sent to incident (slack)")
    }

    @Test func anEmailArrivesWithItsHeadersAndBody() async throws {
        let smtp = TestSMTPServer()
        let output = try await smtp.with { port in
            try await Self.deliver(Self.command([NotifyChannel(name: "reports", kind: .email, email: .init(
                host: "127.0.0.1", port: port, from: "runbook@conectaboi.test", to: ["etl-team@conectaboi.test", "devops@conectaboi.test"]))]))
        }
        #expect(output.succeeded, "\(output.excerpt)")
        let mail = try #require(await smtp.messages.first)
        #expect(mail.from == "<runbook@conectaboi.test>")
        #expect(mail.to == ["<etl-team@conectaboi.test>", "<devops@conectaboi.test>"])
        let headers = mail.headers
        #expect(headers["from"] == "runbook@conectaboi.test")
        #expect(headers["to"] == "etl-team@conectaboi.test, devops@conectaboi.test")
        #expect(Self.decodeWords(headers["subject"] ?? "") == "📊 INCIDENT UPDATE: ETL Pipeline Issue")
        #expect(headers["content-type"] == "text/plain; charset=utf-8")
        #expect(headers["content-transfer-encoding"] == "base64")
        #expect(headers["mime-version"] == "1.0")
        #expect(headers["x-runbook-run"] == "20261201T120000Z-abcdef")
        #expect(headers["x-runbook-runbook"] == "scenario-2-high-error-rate")
        #expect(headers["message-id"]?.hasPrefix("<20261201T120000Z-abcdef.incident-update.") == true)
        #expect(headers["date"]?.hasSuffix("+0000") == true)
        #expect(mail.decodedBody == Self.message.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(output.excerpt.hasPrefix("reports (email): delivered, SMTP 250"))
    }

    @Test func aTransientSMTPReplyIsTriedAgainAPermanentOneIsNot() async throws {
        let email: @Sendable (Int) -> NotifyChannel = { port in NotifyChannel(name: "reports", kind: .email, email: .init(host: "127.0.0.1", port: port, from: "a@b.test", to: ["c@d.test"])) }
        let transient = TestSMTPServer(mailReplies: ["451 4.3.0 try again later"])
        let retried = try await transient.with { port in try await Self.deliver(Self.command([email(port)])) }
        #expect(retried.succeeded, "\(retried.excerpt)")
        #expect(await transient.messages.count == 1)
        #expect(Self.deliveries(retried).first?["attempts"] == .int(2))

        let permanent = TestSMTPServer(mailReplies: ["550 5.7.1 relaying denied"])
        let refused = try await permanent.with { port in try await Self.deliver(Self.command([email(port)])) }
        #expect(!refused.succeeded)
        #expect(Self.deliveries(refused).first?["attempts"] == .int(1))
        #expect(refused.failure?.contains("550 5.7.1 relaying denied") == true, "\(refused.failure ?? "")")
    }

    @Test func startTLSIsUsedWhenOfferedAndThePasswordOnlyOverIt() async throws {
        let cert = try TestCertificate.make()
        let server = TestSMTPServer(tls: try NIOSSLContext(configuration: .makeServerConfiguration(
            certificateChain: [.certificate(cert.certificate)], privateKey: .privateKey(cert.key))))
        let client = { () -> TLSConfiguration in
            var c = TLSConfiguration.makeClientConfiguration()
            c.trustRoots = .certificates([cert.certificate])
            return c
        }()
        let password = "smtp-Pa55word-Secret"
        let output = try await server.with { port in
            let http = HTTPDriver()
            let driver = NotifyDriver(http: http, eventLoops: .singleton, policy: Self.quick, tryTimeout: .seconds(60),
                                      smtp: SMTPClient(group: DriverEventLoops.singleton.group, tlsConfiguration: client))
            let channel = NotifyChannel(name: "reports", kind: .email, email: .init(host: "127.0.0.1", port: port, from: "a@b.test", to: ["c@d.test"],
                                                                                   username: "runbook", password: password, requireTLS: true))
            let context = DriverContext(stepID: "s", kind: .notify, timeout: .seconds(120), environment: .empty(name: "t"), redactor: Redactor(secrets: [password]))
            let output = try await driver.execute(Self.command([channel]), context: context)
            await http.shutdown()
            return output
        }
        #expect(output.succeeded, "\(output.excerpt)")
        let mail = try #require(await server.messages.first)
        #expect(mail.overTLS)
        #expect(mail.credentials == "runbook\u{0}\(password)")
        #expect(!(JSON.encode(output.result) + output.excerpt).contains(password))
    }

    @Test func withoutSTARTTLSThePasswordIsNeverSent() async throws {
        let server = TestSMTPServer()
        let output = try await server.with { port in
            try await Self.deliver(Self.command([NotifyChannel(name: "reports", kind: .email, email: .init(
                host: "127.0.0.1", port: port, from: "a@b.test", to: ["c@d.test"], username: "runbook", password: "pw-never-sent"))]))
        }
        #expect(!output.succeeded)
        #expect(await server.messages.isEmpty)
        #expect(output.failure?.contains("the password is never sent in clear") == true, "\(output.failure ?? "")")
        #expect(Self.deliveries(output).first?["attempts"] == .int(1))
    }

    @Test func aHostileSubjectAddsNoHeader() {
        let n = RenderedCommand.NotifyCommand(template: "t", message: "Hi\r\nBcc: victim@example.com\n\nbody", channels: [], origin: Self.origin)
        let text = EmailMessage.notification(n, message: n.message, email: .init(host: "h", from: "a@b.test", to: ["c@d.test"])).rendered()
        let head = text.components(separatedBy: "\r\n\r\n")[0]
        #expect(!head.components(separatedBy: "\r\n").contains { $0.lowercased().hasPrefix("bcc:") })
        #expect(!EmailMessage.isValidAddress("a@b.test>\r\nRCPT TO:<evil@x.test"))
    }

    /// RFC 2047 `=?UTF-8?B?...?=` words back to text.
    static func decodeWords(_ header: String) -> String {
        header.components(separatedBy: " ").map { word in
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?=") else { return word }
            let b64 = String(word.dropFirst(10).dropLast(2))
            return Data(base64Encoded: b64).map { String(decoding: $0, as: UTF8.self) } ?? word
        }.joined()
    }
}
