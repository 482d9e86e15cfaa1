public import Foundation
public import RunbookCore
import RunbookDrivers

/// The incident's life over the ledger and the environment's channels: declare, post updates,
/// escalate, remind, resolve. Everything posted goes to the environment's `incident` channel
/// (an escalation also to its `escalation` channel, when it has one); what must happen once is
/// claimed in the ledger under the incident's row lock and keyed, so it never happens twice.
/// A dry desk renders and returns what it would post, and posts and writes nothing.
public struct IncidentDesk: Sendable {
    /// The ledger.
    public let ledger: Ledger
    /// The environment: its channels.
    public let environment: Environment
    /// The project folder: `templates/`.
    public let home: URL
    /// `escalation.yaml`.
    public let ladder: Escalation?
    /// Who acts (the operator).
    public let author: String
    /// What is redacted from messages shown (channel URLs and secrets are never shown at all).
    public let redactor: Redactor
    /// Render and report only.
    public let dryRun: Bool
    let drivers: RunDrivers

    /// A desk; call ``shutdown()`` when done.
    public init(ledger: Ledger, environment: Environment, home: URL, ladder: Escalation?, author: String, dryRun: Bool = false) {
        self.ledger = ledger
        self.environment = environment
        self.home = home
        self.ladder = ladder
        self.author = author
        self.dryRun = dryRun
        var redactor = Redactor(secrets: environment.secrets)
        for channel in environment.notifyChannels.values { for s in channel.secrets { redactor.add(s) } }
        self.redactor = redactor
        self.drivers = RunDrivers(environment: environment)
    }

    /// Stops the channels' HTTP client.
    public func shutdown() async { await drivers.shutdown() }

    /// One message: what it is, to which channels, and whether it arrived.
    public struct Post: Sendable {
        /// The incident.
        public var incident: String
        /// What it is: `declared`, `update`, `escalation`, `reminder`, `resolved`, `postmortem`.
        public var kind: IncidentEvent.Kind
        /// The message, redacted.
        public var message: String
        /// `incident (slack)`, ...
        public var channels: String
        /// Delivered to every channel (false in a dry run).
        public var delivered: Bool
        /// Each channel's answer (`incident (slack): delivered`), or `would post` in a dry run.
        public var answer: String
    }

    // MARK: Rendering and posting

    /// Renders `templates/<name>` in `scope`.
    public func render(_ name: String, scope: ExpressionScope) throws(IncidentError) -> String {
        let renderer = CommandRenderer(environment: environment, home: home)
        guard let text = renderer.templateLoader(name) else { throw IncidentError(.invalid, "no template '\(name)' in templates/") }
        do { return try Template(text).render(in: scope) } catch {
            throw IncidentError(.invalid, "templates/\(name): \(error.message)")
        }
    }

    /// The channels an incident message goes to: `incident` (in an environment without channels,
    /// its log), plus `escalation` for escalations when the environment declares it. An email
    /// `escalation` channel is addressed to the level's contacts that are email addresses.
    func channels(for kind: IncidentEvent.Kind, level: Escalation.Level?) throws(IncidentError) -> [NotifyChannel] {
        guard let incident = environment.notifyChannel(named: "incident", home: home) else {
            throw IncidentError(.invalid, "\(environment.path ?? "environments/\(environment.name).yaml"): notify.channels has no channel 'incident'"
                + " (incident messages go there)\(Suggest.didYouMean("incident", in: environment.notifyChannelNames))")
        }
        var out = [incident]
        if kind == .escalation, var escalation = environment.notifyChannels["escalation"] {
            if escalation.kind == .file, let p = escalation.path, !p.hasPrefix("/") { escalation.path = home.appendingPathComponent(p).path }
            let emails = level?.contacts.filter { $0.contains("@") && !$0.contains(" ") } ?? []
            if escalation.kind == .email, !emails.isEmpty { escalation.email?.to = emails }
            out.append(escalation)
        }
        return out
    }

    /// Posts `message` about `incident` (three tries per channel, as a notify step); never throws
    /// for a channel that does not answer: that is `delivered: false` with its answer.
    public func post(_ message: String, kind: IncidentEvent.Kind, incident: Incident, level: Escalation.Level? = nil) async throws(IncidentError) -> Post {
        let targets = try channels(for: kind, level: level)
        let command = RenderedCommand.NotifyCommand(
            template: "incident-\(kind.rawValue)", message: message, channels: targets,
            origin: NotifyOrigin(runbook: "incident", title: incident.title, runID: incident.id, environment: environment.name,
                                 step: kind.rawValue, status: incident.status.rawValue))
        let shown = redactor.redact(message)
        if dryRun {
            return Post(incident: incident.id, kind: kind, message: shown, channels: command.channelsDisplay, delivered: false,
                        answer: "would post to \(command.channelsDisplay)")
        }
        let context = DriverContext(stepID: "incident-\(kind.rawValue)", kind: .notify, timeout: .seconds(60), environment: environment, redactor: redactor)
        do {
            let output = try await withDeadline(.seconds(60)) { try await drivers.registry[.notify]!.execute(.notify(command), context: context) }
            return Post(incident: incident.id, kind: kind, message: shown, channels: command.channelsDisplay, delivered: output.succeeded,
                        answer: redactor.redact(output.excerpt))
        } catch let error as DriverError where error.code == .configuration {
            throw IncidentError(.invalid, redactor.redact(error.message))
        } catch {
            return Post(incident: incident.id, kind: kind, message: shown, channels: command.channelsDisplay, delivered: false,
                        answer: redactor.redact("\(error)"))
        }
    }

    /// An event's details: `extra`, then where the post went and whether it arrived.
    public func details(_ post: Post, _ extra: [(String, Value)] = []) -> Value {
        .object(extra + [("channels", .string(post.channels)), ("delivered", .bool(post.delivered)), ("answer", .string(post.answer))])
    }

    /// Posts an alert's message (`text`) about `incident` and appends it to the timeline as an
    /// `alert` event by this desk's author, keyed by `key` (a key already there adds nothing):
    /// the one way Alertmanager's news reaches an incident, from the receiver or a run.
    @discardableResult
    public func postAlert(_ text: String, incident: Incident, key: String, details extra: [(String, Value)]) async throws(IncidentError) -> Post {
        let post = try await post(text, kind: .alert, incident: incident)
        let event = IncidentEvent(at: Date(), kind: .alert, author: author, message: text.split(separator: "\n").first.map(String.init) ?? text,
                                  key: key, details: details(post, extra))
        do { try await ledger.add(event, to: incident.id, change: .init(touches: post.delivered)) } catch { throw IncidentError(error) }
        return post
    }

    /// The newest run linked to `incident`.
    func lastRun(_ id: String) async throws(IncidentError) -> IncidentEvent? {
        do { return try await ledger.events(id).last { $0.kind == .run } } catch { throw IncidentError(error) }
    }

    // MARK: The life

    /// Declares an incident: stored, then the declaration (`incident-declared` template) posted.
    /// The level in force at its start is the one the declaration names; declared later than 30
    /// minutes in, that level's escalation is posted too.
    public func open(title: String, severity: String, impact: String, affectedServices: String = "", startedAt: Date,
                     now: Date = Date()) async throws(IncidentError) -> (Incident, [Post])
    {
        let level = ladder?.level(at: max(0, Int(now.timeIntervalSince(startedAt) / 60)))
        let first = ladder?.levels.first?.level ?? 1
        var incident: Incident
        if dryRun {
            incident = Incident(id: Incident.idPrefix(day: startedAt) + "N", environment: environment.name, title: title, severity: severity,
                                status: .investigating, openedBy: author, impact: impact, startedAt: startedAt, escalationLevel: first, lastUpdateAt: now,
                                affectedServices: affectedServices)
        } else {
            do {
                incident = try await ledger.openIncident(environment: environment.name, title: title, severity: severity, openedBy: author,
                                                         impact: impact, affectedServices: affectedServices, startedAt: startedAt, now: now, level: first)
            } catch { throw IncidentError(error) }
        }
        let message = try render("incident-declaration", scope: IncidentMessage.scope(incident, now: now, ladder: ladder))
        let post = try await post(message, kind: .declared, incident: incident)
        var posts = [post]
        if !dryRun {
            do {
                try await ledger.add(IncidentEvent(at: now, kind: .declared, author: author,
                                                   message: "\(severity): \(title), started \(IncidentMessage.time(startedAt))",
                                                   details: details(post, [("severity", .string(severity)), ("level", .int(level?.level ?? first))])),
                                     to: incident.id, change: .init(touches: true))
            } catch { throw IncidentError(error) }
        }
        if let level, level.level > first {
            posts += try await performDue(incident.id, now: now, only: [.escalation])
            incident.escalationLevel = level.level
        }
        return (incident, posts)
    }

    /// A person's status update (`incident-status` template), after any escalation now due.
    public func update(_ id: String, status: Incident.Status, message: String, nextSteps: String = "", eta: String = "",
                       now: Date = Date()) async throws(IncidentError) -> [Post]
    {
        let incident = try await openIncident(id)
        var posts = try await performDue(id, now: now, only: [.escalation])
        var current = incident
        current.status = status
        if let level = IncidentCadence.escalation(incident, now: now, ladder: ladder) { current.escalationLevel = level.level }
        let text = try render("incident-status", scope: IncidentMessage.scope(current, now: now, ladder: ladder, lastRun: try await lastRun(id),
                                                                               event: [("status", .string(status.display)), ("message", .string(message)),
                                                                                       ("next_steps", .string(nextSteps)), ("eta", .string(eta)),
                                                                                       ("automatic", false)]))
        let post = try await post(text, kind: .update, incident: current)
        posts.append(post)
        if !dryRun {
            do {
                try await ledger.add(IncidentEvent(at: now, kind: .update, author: author, message: message,
                                                   details: details(post, [("status", .string(status.rawValue)), ("next_steps", .string(nextSteps)),
                                                                           ("eta", .string(eta))])),
                                     to: id, change: .init(touches: post.delivered, status: status))
            } catch { throw IncidentError(error) }
        }
        return posts
    }

    /// Resolves the incident and posts the resolution (`incident-resolution`) with its duration.
    public func resolve(_ id: String, rootCause: String, resolution: String, prevention: String, resolvedAt: Date,
                        now: Date = Date()) async throws(IncidentError) -> (Incident, Post)
    {
        var incident = try await openIncident(id)
        if resolvedAt < incident.startedAt {
            throw IncidentError(.invalid, "--resolved-at is before the incident's start (\(IncidentMessage.time(incident.startedAt)))")
        }
        if dryRun {
            incident.resolvedAt = resolvedAt
            incident.status = .resolved
            incident.rootCause = rootCause
            incident.resolution = resolution
            incident.prevention = prevention
        } else {
            do {
                guard let resolved = try await ledger.resolveIncident(id, rootCause: rootCause, resolution: resolution, prevention: prevention,
                                                                      resolvedAt: resolvedAt) else {
                    throw IncidentError(.invalid, "incident \(id) is already resolved")
                }
                incident = resolved
            } catch let error as LedgerError { throw IncidentError(error) } catch let error as IncidentError { throw error } catch {
                throw IncidentError(.unreachable, "\(error)")
            }
        }
        let text = try render("incident-resolution", scope: IncidentMessage.scope(incident, now: resolvedAt, ladder: ladder, lastRun: try await lastRun(id)))
        let post = try await post(text, kind: .resolved, incident: incident)
        if !dryRun {
            do {
                try await ledger.add(IncidentEvent(at: resolvedAt, kind: .resolved, author: author,
                                                   message: "root cause: \(rootCause) · resolution: \(resolution) · prevention: \(prevention)",
                                                   details: details(post, [("minutes", .int(incident.minutes(at: resolvedAt)))])),
                                     to: id)
            } catch { throw IncidentError(error) }
        }
        return (incident, post)
    }

    /// The open incident `id`, or `invalid` (unknown, resolved).
    func openIncident(_ id: String) async throws(IncidentError) -> Incident {
        let found: Incident?
        do { found = try await ledger.incident(id) } catch { throw IncidentError(error) }
        guard let found else { throw IncidentError(.invalid, "no incident '\(id)' in the ledger (runbook incident list --all)") }
        guard found.isOpen else { throw IncidentError(.invalid, "incident \(id) is resolved") }
        return found
    }

    /// Posts what the clock says is due for incident `id` (``IncidentCadence/due(_:now:ladder:)``,
    /// only the kinds in `only` when given), each at most once: under the incident's row lock
    /// (another process holding it is doing the same, so this one skips), each keyed in the
    /// ledger. A post that was not delivered is not recorded, so the next `remind` tries again.
    public func performDue(_ id: String, now: Date = Date(), only: Set<IncidentEvent.Kind>? = nil) async throws(IncidentError) -> [Post] {
        if dryRun {
            let found: Incident?
            do { found = try await ledger.incident(id) } catch { throw IncidentError(error) }
            guard let found else { return [] }
            let lastRun = try await lastRun(id)
            do { return try await due(found, now: now, only: only, lastRun: lastRun, record: false) } catch { throw Self.mapped(error) }
        }
        let events: [IncidentEvent]
        do { events = try await ledger.events(id) } catch { throw IncidentError(error) }
        let lastRun = events.last { $0.kind == .run }
        do {
            return try await ledger.withIncident(id) { locked in
                guard let locked else { return [] }
                return try await due(locked, now: now, only: only, lastRun: lastRun, record: true)
            }
        } catch { throw Self.mapped(error) }
    }

    static func mapped(_ error: any Error) -> IncidentError {
        switch error {
        case let e as IncidentError: e
        case let e as LedgerError: IncidentError(e)
        default: IncidentError(.unreachable, "\(error)")
        }
    }

    private func due(_ start: Incident, now: Date, only: Set<IncidentEvent.Kind>?, lastRun: IncidentEvent?, record: Bool) async throws -> [Post] {
        var incident = start
        var posts: [Post] = []
        for due in IncidentCadence.due(start, now: now, ladder: ladder) {
            let kind: IncidentEvent.Kind = switch due {
            case .escalation: .escalation
            case .reminder: .reminder
            case .postmortem: .postmortem
            }
            if let only, !only.contains(kind) { continue }
            if record, try await ledger.hasEvent(incident.id, key: due.key) { continue }
            var level: Escalation.Level?
            var event: [(String, Value)] = []
            var change = Ledger.IncidentChange()
            let template: String
            let summary: String
            switch due {
            case .escalation(let l):
                level = ladder?.levels.first { $0.level == l }
                event = [("level", .int(l)), ("who", .string(level?.who ?? "")), ("contacts", .string(level?.contacts.joined(separator: ", ") ?? "")),
                         ("previous", .int(incident.escalationLevel))]
                change.level = l
                template = "incident-escalation"
                summary = "level \(l): \(level?.who ?? "") — \(level?.contacts.joined(separator: ", ") ?? "")"
                incident.escalationLevel = l
            case .reminder:
                event = [("status", .string(incident.status.display)), ("message", .string(IncidentMessage.automaticStatus(lastRun))), ("automatic", true)]
                change.touches = true
                template = "incident-reminder"
                summary = "no update for \(max(0, Int(now.timeIntervalSince(incident.lastUpdateAt) / 60))) min: automatic status update"
            case .postmortem:
                change.postmortemReminded = true
                template = "incident-postmortem"
                summary = "post-mortem due (resolved \(IncidentCadence.durationText(minutes: Int(now.timeIntervalSince(incident.resolvedAt ?? now) / 60))) ago)"
            }
            let text = try render(template, scope: IncidentMessage.scope(incident, now: now, ladder: ladder, lastRun: lastRun, event: event))
            let post = try await post(text, kind: kind, incident: incident, level: level)
            posts.append(post)
            if record, post.delivered {
                try await ledger.add(IncidentEvent(at: now, kind: kind, author: author, message: summary, key: due.key,
                                                   details: details(post, event.filter { $0.0 != "message" })),
                                     to: incident.id, change: change)
            }
        }
        return posts
    }

    // MARK: Runs

    /// Before a linked live run: posts the escalation now due, if any.
    public func runStarting(_ incident: Incident, now: Date = Date()) async throws(IncidentError) -> [Post] {
        try await performDue(incident.id, now: now, only: [.escalation])
    }

    /// After a linked run: its timeline entry (run id, runbook, mode, status, findings). `posted`:
    /// the run delivered a message to the incident channel, which counts as the 30-minute update.
    public func runEnded(_ incident: Incident, report: RunReport, posted: Bool, at now: Date = Date()) async throws(IncidentError) {
        let message = "\(report.runbook) (\(report.mode)): \(report.status.rawValue.uppercased()), run \(report.runID)"
        do {
            try await ledger.add(IncidentEvent(at: now, kind: .run, author: author, message: message, runID: report.runID,
                                               details: IncidentMessage.runDetails(report)),
                                 to: incident.id, change: .init(touches: posted))
        } catch { throw IncidentError(error) }
    }
}
