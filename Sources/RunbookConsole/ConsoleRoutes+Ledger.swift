import Foundation
import Hummingbird
import RunbookCore
import RunbookLedger

/// `/incidents` and `/audit`.
extension ConsoleRoutes {
    func incidentsPage(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let incidents: [IncidentTimeline]
        do { incidents = try await pool.with { try await $0.incidents(environment: environment) } } catch { return unavailable(error, request, context) }
        let rows = incidents.map { timeline -> [String: Any] in
            let i = timeline.incident
            var row: [String: Any] = ["id": i.id, "environment": i.environment, "title": i.title, "severity": i.severity,
                                      "status": i.resolvedAt == nil ? i.status.rawValue : "resolved", "openedBy": i.openedBy,
                                      "started": ConsoleViews.time(i.startedAt), "escalation": String(i.escalationLevel),
                                      "tone": i.resolvedAt == nil ? (i.severity == "P1" ? "red" : "yellow") : "green"]
            if let resolved = i.resolvedAt {
                row["resolved"] = ConsoleViews.time(resolved)
                row["lasted"] = ConsoleViews.duration(Int(resolved.timeIntervalSince(i.startedAt) * 1000))
            }
            if let c = i.rootCause { row["rootCause"] = c }
            if let r = i.resolution { row["resolution"] = r }
            row["events"] = timeline.events.map { e -> [String: Any] in
                var item: [String: Any] = ["at": ConsoleViews.time(e.at), "kind": e.kind.rawValue, "author": e.author, "message": e.message]
                let (tone, glyph) = Self.eventStyle(e, runStatus: timeline.runStatus(of: e))
                item["tone"] = tone
                item["glyph"] = glyph
                if let run = e.runID {
                    item["runID"] = run
                    item["runPath"] = ConsoleViews.pathSegment(run)
                    if let status = timeline.runStatus(of: e) {
                        let style = StatusStyle(status)
                        item["runStatus"] = status
                        item["runTone"] = style.tone
                        item["runGlyph"] = style.webGlyph
                    }
                }
                return item
            }
            return row
        }
        return views.page("incidents", title: "Incidents", context: context, data: ["incidents": rows])
    }

    /// How a timeline entry looks: declared red, an escalation magenta, a run its run's colour,
    /// resolved green, the rest (updates, reminders, the postmortem) plain.
    static func eventStyle(_ e: IncidentEvent, runStatus: String?) -> (tone: String, glyph: String) {
        switch e.kind {
        case .declared: ("red", "●")
        case .escalation: ("magenta", "▲")
        case .run: runStatus.map { (StatusStyle($0).tone, StatusStyle($0).webGlyph) } ?? ("dim", "▶")
        case .resolved: ("green", "✔")
        default: ("dim", "·")
        }
    }

    func apiIncidents(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let incidents: [IncidentTimeline]
        do { incidents = try await pool.with { try await $0.incidents(environment: environment) } } catch { return unavailable(error, request, context) }
        func time(_ d: Date?) -> Value { d.map { .string(AuditLog.timestamp($0)) } ?? .null }
        return ConsoleViews.json(.list(incidents.map { timeline in
            let i = timeline.incident
            return .object([("id", .string(i.id)), ("environment", .string(i.environment)), ("title", .string(i.title)), ("severity", .string(i.severity)),
                     ("status", .string(i.status.rawValue)), ("opened_by", .string(i.openedBy)), ("started_at", time(i.startedAt)),
                     ("resolved_at", time(i.resolvedAt)), ("escalation_level", .int(i.escalationLevel)), ("last_update_at", time(i.lastUpdateAt)),
                     ("root_cause", i.rootCause.map(Value.string) ?? .null), ("resolution", i.resolution.map(Value.string) ?? .null),
                     ("events", .list(timeline.events.map { e in
                         .object([("at", time(e.at)), ("kind", .string(e.kind.rawValue)), ("author", .string(e.author)), ("message", .string(e.message)),
                                  ("run_id", e.runID.map(Value.string) ?? .null)])
                     }))])
        }))
    }

    /// Runs `audit verify --ledger` (the ledger alone: the console has no local log) and reads
    /// the newest checkpoints. Only ``AuditState`` calls it: at most one at a time, on its timer
    /// or the page's button, never once per viewer.
    func verify() async throws -> AuditState.Result {
        let started = ContinuousClock.now
        let env = configuration.environment
        let (result, checkpoints) = try await pool.with { ledger in
            let audit = try await LedgerAudit.verify(ledger, name: "ledger (\(ledger.target))", localPath: nil, localIntact: true,
                                                     allowedSigners: configuration.allowedSigners, policy: configuration.policy,
                                                     environment: env.name, runnerPrincipal: env.runnerPrincipal)
            return (audit, try await ledger.recentCheckpoints())
        }
        return AuditState.Result(intact: result.intact, lines: result.lines, checkpoints: checkpoints, at: Date(), took: ContinuousClock.now - started)
    }

    /// The last verification; the first viewer waits for the one the console started with.
    func lastVerification() async throws -> AuditState.Result {
        try await audit.current { try await verify() }
    }

    /// `POST /audit/refresh` (the page's button): starts a verification unless one is running,
    /// then shows the page.
    func refreshAudit(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        _ = await audit.refresh { try await verify() }
        return Self.redirect("/audit")
    }

    func auditPage(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let result: AuditState.Result
        do { result = try await lastVerification() } catch { return unavailable(error, request, context) }
        let checkpoints = result.checkpoints
        var data = ConsoleViews.styled(result.intact ? "intact" : "tampered")
        data["verdict"] = result.intact ? "intact" : "TAMPERED"
        data["at"] = ConsoleViews.time(result.at)
        data["took"] = DurationText.format(result.took)
        data["refreshing"] = await audit.isRunning
        data["lines"] = result.lines.map { ["text": $0.text, "tone": StatusStyle($0.kind).tone] }
        data["checkpoints"] = checkpoints.map { c -> [String: Any] in
            var row: [String: Any] = ["principal": c.principal, "seq": String(c.seq), "source": String(c.source.prefix(12)),
                                      "time": c.time, "hash": String(c.hash.prefix(16)) + "…"]
            if let run = c.runID, run != "-" {
                row["runID"] = run
                row["runPath"] = ConsoleViews.pathSegment(run)
            }
            return row
        }
        data["hasCheckpoints"] = !checkpoints.isEmpty
        return views.page("audit", title: "Audit", context: context, data: data)
    }

    func apiAudit(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let result: AuditState.Result
        do { result = try await lastVerification() } catch { return unavailable(error, request, context) }
        let checkpoints = result.checkpoints
        return ConsoleViews.json(.object([
            ("intact", .bool(result.intact)), ("verified_at", .string(AuditLog.timestamp(result.at))),
            ("lines", .list(result.lines.map { .object([("kind", .string($0.kind)), ("text", .string($0.text))]) })),
            ("checkpoints", .list(checkpoints.map { c in
                .object([("source", .string(c.source)), ("seq", .int(c.seq)), ("hash", .string(c.hash)), ("principal", .string(c.principal)),
                         ("run_id", c.runID.map(Value.string) ?? .null), ("time", .string(c.time))])
            })),
        ]))
    }
}
