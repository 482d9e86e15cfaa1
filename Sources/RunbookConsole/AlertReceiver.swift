import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RunbookCore
import RunbookDrivers
import RunbookLedger

/// Alertmanager's webhook (`POST /api/alerts`, payload version 4; docs/alerts.md).
///
/// A notification is checked whole before anything happens: the bearer token (401), the body's
/// size (413) and shape (400), a runbook for every alert (422); each refusal is one log line.
/// Then each alert is decided once in the ledger (``Ledger/decideAlert(_:rediagnoseAfter:)``),
/// the group's incident opened or linked, and the answer (202) sent; the diagnoses run after
/// it, at most ``AlertReceiverConfiguration/concurrency`` at once.
struct AlertReceiver: Sendable {
    let configuration: AlertReceiverConfiguration
    let environment: RunbookCore.Environment
    let ledgerURL: String
    let limit: ConcurrencyLimit
    let logger: Logger

    init(configuration: AlertReceiverConfiguration, environment: RunbookCore.Environment, ledgerURL: String, logger: Logger) {
        self.configuration = configuration
        self.environment = environment
        self.ledgerURL = ledgerURL
        self.limit = ConcurrencyLimit(configuration.concurrency)
        self.logger = logger
    }

    /// A refusal: its status, logged with the sender's address.
    func refuse(_ status: HTTPResponse.Status, _ message: String, peer: String) -> Response {
        logger.warning("alert webhook refused (\(status.code)) from \(peer): \(message)")
        return Self.json(status, .object([("error", .string(message))]))
    }

    static func json(_ status: HTTPResponse.Status, _ value: Value) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: JSON.encode(value) + "\n")))
    }

    /// Whether the request carries the token (compared in constant time, as digests).
    func authorized(_ request: Request) -> Bool {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else { return false }
        let sent = SHA256.hash(data: Data(header.dropFirst(7).trimmingCharacters(in: .whitespaces).utf8))
        let expected = SHA256.hash(data: Data(configuration.token.utf8))
        return sent == expected
    }

    /// Answers one notification; `peer` is the sender's address, for the log.
    func handle(_ request: Request, peer: String) async -> Response {
        guard authorized(request) else { return refuse(.unauthorized, "missing or wrong bearer token", peer: peer) }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: configuration.bodyLimit) } catch {
            return refuse(.contentTooLarge, "body larger than \(configuration.bodyLimit) bytes", peer: peer)
        }
        let payload: AlertmanagerPayload
        do { payload = try AlertmanagerPayload.decode(Data(body.readableBytesView)) } catch {
            return refuse(.badRequest, error.description, peer: peer)
        }
        var routed: [(AlertmanagerPayload.Alert, AlertRoute)] = []
        var unrouted: [String] = []
        for alert in payload.alerts {
            if let route = AlertRoute.find(labels: alert.labels, in: configuration.runbooks) {
                routed.append((alert, route))
            } else {
                unrouted.append(alert.name)
            }
        }
        if !unrouted.isEmpty {
            return refuse(.unprocessableContent, "no runbook's triggers answer \(Set(unrouted).sorted().joined(separator: ", ")) (runbook alerts coverage)", peer: peer)
        }
        do {
            let ledger = try await Ledger.connect(url: ledgerURL)
            defer { Task { await ledger.close() } }
            let summary = try await accept(payload, routed: routed, ledger: ledger)
            return Self.json(.accepted, summary)
        } catch {
            let message = (error as? LedgerError)?.message ?? "\(error)"
            logger.error("alert webhook: ledger unavailable, Alertmanager will retry: \(message)")
            return Self.json(.serviceUnavailable, .object([("error", .string(message))]))
        }
    }

    /// Records every alert's decision; opens or links the group's incident; starts the
    /// diagnoses and resolutions it decided.
    func accept(_ payload: AlertmanagerPayload, routed: [(AlertmanagerPayload.Alert, AlertRoute)], ledger: Ledger) async throws -> Value {
        var work: [(AlertmanagerPayload.Alert, AlertRoute, AlertDecision)] = []
        for (alert, route) in routed {
            let labels = JSON.encode(.object(alert.labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
            let notice = Ledger.AlertNotice(groupKey: payload.groupKey, fingerprint: alert.fingerprint, alertname: alert.name,
                                            runbook: route.runbook, status: alert.status, inputsKey: route.inputsKey,
                                            startsAt: alert.startsAt, labels: labels)
            let decision = try await ledger.decideAlert(notice, rediagnoseAfter: configuration.rediagnoseAfter)
            if decision != .nothing { work.append((alert, route, decision)) }
        }
        var incident: String?
        if work.contains(where: { if case .diagnose = $0.2 { true } else { false } }) {
            incident = try await groupIncident(payload, first: work.first { if case .diagnose = $0.2 { true } else { false } }!, ledger: ledger)
        } else if !work.isEmpty {
            incident = try await ledger.alertGroup(payload.groupKey)?.incidentID
        }
        var diagnoses = 0
        var resolutions = 0
        if let incident {
            for (alert, route, decision) in work {
                switch decision {
                case .diagnose(let reason):
                    diagnoses += 1
                    Task { await diagnose(alert, route: route, reason: reason, incident: incident) }
                case .resolve:
                    resolutions += 1
                    Task { await resolved(alert, route: route, incident: incident) }
                case .nothing:
                    break
                }
            }
        }
        logger.info("alert webhook: group \(payload.groupKey) \(payload.status), \(payload.alerts.count) alerts, \(diagnoses) diagnoses, \(resolutions) resolved, incident \(incident ?? "-")")
        return .object([("incident", incident.map(Value.string) ?? .null), ("alerts", .int(payload.alerts.count)),
                        ("diagnoses", .int(diagnoses)), ("resolved", .int(resolutions))])
    }

    /// The group's open incident, opened now when it has none (or its last one is resolved):
    /// one incident per group, claimed in the ledger so two replicas or two retries open one.
    func groupIncident(_ payload: AlertmanagerPayload, first: (AlertmanagerPayload.Alert, AlertRoute, AlertDecision), ledger: Ledger) async throws -> String {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while clock.now < deadline {
            let group = try await ledger.alertGroup(payload.groupKey)
            var claimed = false
            if let group {
                if let id = group.incidentID, group.incidentOpen { return id }
                if let id = group.incidentID {
                    claimed = try await ledger.claimAlertGroup(payload.groupKey, environment: environment.name, replacing: id)
                } else if group.claimedSecondsAgo > 60 {
                    claimed = try await ledger.claimAlertGroup(payload.groupKey, environment: environment.name, replacing: nil, staleClaim: true)
                }
            } else {
                claimed = try await ledger.claimAlertGroup(payload.groupKey, environment: environment.name, replacing: nil)
            }
            if claimed {
                let id = try await openIncident(first.0, route: first.1, ledger: ledger)
                try await ledger.setAlertGroupIncident(payload.groupKey, incident: id)
                return id
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw LedgerError(.failed, "alert group \(payload.groupKey): another receiver claimed it and did not open its incident within 30 s")
    }

    /// Declares the incident for an alert (the declaration template, posted to the channel).
    func openIncident(_ alert: AlertmanagerPayload.Alert, route: AlertRoute, ledger: Ledger) async throws -> String {
        let runbook = configuration.runbooks.first { $0.id == route.runbook }
        let desk = IncidentDesk(ledger: ledger, environment: environment, home: configuration.home, ladder: configuration.ladder,
                                author: "alertmanager")
        defer { Task { await desk.shutdown() } }
        let title = "\(alert.name): \(alert.annotations["summary"] ?? runbook?.title ?? route.runbook)"
        let impact = alert.annotations["description"] ?? "alert \(alert.name) fired"
        // Alertmanager writes nanoseconds; the second is precise enough for an incident's start.
        let startsAt = alert.startsAt.split(separator: ".").first.map { String($0) + (alert.startsAt.contains(".") ? "Z" : "") } ?? alert.startsAt
        let started = IncidentTime.parse(startsAt, now: Date()) ?? Date()
        let (incident, _) = try await desk.open(title: title, severity: runbook?.severity ?? Runbook.defaultSeverity, impact: impact,
                                                startedAt: min(started, Date()))
        logger.info("alert webhook: \(alert.name) opened incident \(incident.id)")
        return incident.id
    }

    /// Runs the diagnosis (bounded) and posts its findings to the incident's channel.
    func diagnose(_ alert: AlertmanagerPayload.Alert, route: AlertRoute, reason: AlertDecision.Reason, incident: String) async {
        let process = DiagnosisProcess(binary: configuration.binary, home: configuration.home, environment: environment.name)
        await limit.acquire()
        let running = await limit.running
        logger.info("alert webhook: diagnosing \(alert.name) with \(route.runbook) for \(incident) (\(running) of at most \(limit.limit) running)")
        let outcome = await process.run(runbook: route.runbook, incident: incident, inputs: route.inputs, timeout: configuration.diagnosisTimeout)
        await limit.release()
        let text: String
        var runID: String?
        if let report = outcome.report {
            runID = report["run_id"]?.stringValue
            text = DiagnosisMessage(alert: alert.name, severity: alert.labels["severity"], incident: incident, environment: environment.name,
                                    reason: reason.rawValue, report: report, inputs: route.inputs, consoleURL: configuration.consoleURL).text
        } else {
            text = "🔔 ALERT \(alert.name) firing · \(incident)\nThe diagnosis (\(route.runbook), dry run) could not run (exit \(outcome.exitCode)): "
                + outcome.errors.split(whereSeparator: \.isNewline).suffix(3).joined(separator: " ")
        }
        await post(text, about: alert, incident: incident, key: "diagnosis:\(alert.fingerprint):\(runID ?? UUID().uuidString)",
                   details: [("alert", .string(alert.name)), ("status", "firing"), ("runbook", .string(route.runbook)),
                             ("run_id", runID.map(Value.string) ?? .null), ("reason", .string(reason.rawValue))])
    }

    /// Posts an alert's resolution (the incident stays open: a person resolves it).
    func resolved(_ alert: AlertmanagerPayload.Alert, route: AlertRoute, incident: String) async {
        let text = AlertResolvedMessage(alert: alert.name, incident: incident, environment: environment.name).text
        await post(text, about: alert, incident: incident, key: "resolved:\(alert.fingerprint):\(alert.endsAt ?? "")",
                   details: [("alert", .string(alert.name)), ("status", "resolved"), ("runbook", .string(route.runbook))])
    }

    /// Posts to the incident channel and appends the alert event to the timeline.
    func post(_ text: String, about alert: AlertmanagerPayload.Alert, incident id: String, key: String, details: [(String, Value)]) async {
        do {
            let ledger = try await Ledger.connect(url: ledgerURL)
            let desk = IncidentDesk(ledger: ledger, environment: environment, home: configuration.home, ladder: configuration.ladder,
                                    author: "alertmanager")
            do {
                guard let incident = try await ledger.incident(id) else { throw LedgerError(.failed, "incident \(id) is gone") }
                let post = try await desk.postAlert(text, incident: incident, key: key, details: details)
                logger.info("alert webhook: \(alert.name) posted to \(post.channels) for \(id): \(post.delivered ? "delivered" : post.answer)")
            } catch {
                logger.error("alert webhook: \(alert.name): cannot post for \(id): \(error)")
            }
            await desk.shutdown()
            await ledger.close()
        } catch {
            logger.error("alert webhook: \(alert.name): ledger unreachable, the findings for \(id) are not posted: \(error)")
        }
    }
}
