import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RunbookCore
import RunbookDrivers
import RunbookLedger
import ServiceLifecycle

/// The console's pages and API over the ledger (see docs/console.md).
struct ConsoleRoutes: Sendable {
    let configuration: ConsoleConfiguration
    let pool: LedgerPool
    let hub: EventHub
    let views: ConsoleViews
    let audit: AuditState
    let metrics: ConsoleMetrics
    /// Signatures of open requests already verified (the approvals page re-reads them at every view).
    let memo = SignatureMemo()
    /// The approvals cards' plan parts, rendered once per request.
    let plans = KeptByRequest<ApprovalRequest, String>()
    /// The approvals cards but their buttons, rendered once per request and standing.
    let heads = KeptByRequest<CardHead, String>()
    /// `/api/approvals`' plan texts (as `runbook approve` prints them), made once per request and standing.
    let texts = KeptByRequest<CardHead, String>()
    /// The open requests' plans, parsed once per request while their stored text is the same.
    let parsedPlans = KeptByRequest<String, Value>()

    var environment: String { configuration.environment.name }
    var cookies: ConsoleCookies { configuration.cookies }

    func register(on router: Router<ConsoleContext>) {
        router.get("/style.css") { _, _ in Self.asset(Assets.stylesheet, type: "text/css; charset=utf-8") }
        router.get("/live.js") { _, _ in Self.asset(Assets.liveScript, type: "text/javascript; charset=utf-8") }
        router.get("/login") { request, context in
            context.user != nil ? Self.redirect("/") : views.unauthorized(request, csrf: context.csrf).withStatus(.ok)
        }
        router.post("/login") { request, context in try await login(request, context) }
        router.post("/logout") { _, _ in
            var response = Self.redirect("/login")
            response.headers[.setCookie] = cookies.set(cookies.token, "", maxAge: 0)
            return response
        }
        router.get("/") { request, context in try await runsPage(request, context) }
        router.get("/runs/:id") { request, context in try await runPage(request, context) }
        router.get("/approvals") { request, context in try await approvalsPage(request, context) }
        router.post("/approvals/:id/:verdict") { request, context in try await decidePage(request, context) }
        router.get("/incidents") { request, context in try await incidentsPage(request, context) }
        router.get("/audit") { request, context in try await auditPage(request, context) }
        router.post("/audit/refresh") { request, context in try await refreshAudit(request, context) }

        router.get("/api/runs") { request, context in try await apiRuns(request, context) }
        router.get("/api/runs/:id") { request, context in try await apiRun(request, context) }
        router.get("/api/approvals") { request, context in try await apiApprovals(request, context) }
        router.post("/api/approvals/:id/:verdict") { request, context in try await apiDecide(request, context) }
        router.get("/api/incidents") { request, context in try await apiIncidents(request, context) }
        router.get("/api/audit") { request, context in try await apiAudit(request, context) }
        router.get("/api/events") { request, context in await events(request, context) }
        router.get("/metrics") { _, _ in try await metrics.scrape(pool: pool, hub: hub, audit: audit) }
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "max-age=300"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// A ledger failure as a 503 page or JSON (the message never holds the password).
    func unavailable(_ error: any Error, _ request: Request, _ context: ConsoleContext) -> Response {
        let message = (error as? LedgerError)?.message ?? "\(error)"
        return views.error(.serviceUnavailable, Redactor(secrets: configuration.environment.secrets).redact(message), request: request, context: context)
    }

    // MARK: Sign in

    func login(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let token = (context.form["token"] ?? "").trimmingCharacters(in: .whitespaces)
        guard configuration.tokens?.user(for: token) != nil else {
            return views.unauthorized(request, csrf: context.csrf, message: "Unknown token.")
        }
        var response = Self.redirect("/")
        response.headers[.setCookie] = cookies.set(cookies.token, token)
        return response
    }

    // MARK: Runs

    static let statuses = ["", "green", "yellow", "red", "error", "awaiting-approval", "aborted", "running", "unfinished"]

    func filter(_ request: Request) -> (LedgerRunFilter, LedgerRunCursor?) {
        let q = request.uri.queryParameters
        func value(_ key: String) -> String? {
            guard let v = q.get(key)?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
            return v
        }
        var filter = LedgerRunFilter()
        filter.runbook = value("runbook")
        filter.environment = value("environment")
        filter.operatorName = value("operator")
        filter.status = value("status")
        filter.limit = min(max(Int(value("limit") ?? "") ?? 50, 1), 200)
        return (filter, value("after").flatMap(LedgerRunCursor.init(token:)))
    }

    func query(_ filter: LedgerRunFilter, after: LedgerRunCursor?) -> String {
        var items: [URLQueryItem] = []
        if let v = filter.runbook { items.append(URLQueryItem(name: "runbook", value: v)) }
        if let v = filter.environment { items.append(URLQueryItem(name: "environment", value: v)) }
        if let v = filter.operatorName { items.append(URLQueryItem(name: "operator", value: v)) }
        if let v = filter.status { items.append(URLQueryItem(name: "status", value: v)) }
        if let after { items.append(URLQueryItem(name: "after", value: after.token)) }
        var c = URLComponents()
        c.queryItems = items
        return items.isEmpty ? "" : (c.percentEncodedQuery.map { "?" + $0.replacingOccurrences(of: "+", with: "%2B") } ?? "")
    }

    func runsPage(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let (filter, after) = filter(request)
        let runs: [LedgerRun]
        do { runs = try await pool.with { try await $0.runsPage(filter, after: after) } } catch { return unavailable(error, request, context) }
        var data: [String: Any] = ["runs": runs.map(ConsoleViews.runRow), "hasRuns": !runs.isEmpty,
                                   "filter_runbook": filter.runbook ?? "", "filter_environment": filter.environment ?? "",
                                   "filter_operator": filter.operatorName ?? ""]
        data["statuses"] = Self.statuses.map { ["value": $0, "label": $0.isEmpty ? "any" : $0, "selected": $0 == (filter.status ?? "")] }
        if runs.count == filter.limit, let last = runs.last, let at = last.startedAt ?? last.endedAt {
            data["older"] = "/" + query(filter, after: LedgerRunCursor(at: at, runID: last.runID))
        }
        if after != nil { data["newest"] = "/" + query(filter, after: nil) }
        return views.page("runs", title: "Runs", context: context, data: data)
    }

    func apiRuns(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let (filter, after) = filter(request)
        let runs: [LedgerRun]
        do { runs = try await pool.with { try await $0.runsPage(filter, after: after) } } catch { return unavailable(error, request, context) }
        var next: Value = .null
        if runs.count == filter.limit, let last = runs.last, let at = last.startedAt ?? last.endedAt {
            next = .string(LedgerRunCursor(at: at, runID: last.runID).token)
        }
        return ConsoleViews.json(.object([("runs", .list(runs.map(\.json))), ("next", next)]))
    }

    func loadRun(_ id: String) async throws -> (LedgerRun?, RunTimeline, [ValueObject], [String]) {
        try await pool.with { ledger in
            let records = try await ledger.records(runID: id)
            let summary = try await ledger.run(id: id)
            let pending = try await ledger.requests(environment: nil, open: true).filter { $0.runID == id && $0.status == .pending }.map(\.id)
            return (summary, RunTimeline(records), records, pending)
        }
    }

    func runPage(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let loaded: (LedgerRun?, RunTimeline, [ValueObject], [String])
        do { loaded = try await loadRun(id) } catch { return unavailable(error, request, context) }
        let (summary, timeline, records, pending) = loaded
        let live = views.runLive(timeline, summary: summary, pending: pending)
        return views.page("run", title: "Run \(id)", context: context,
                          data: ["runID": id, "live": live, "missing": records.isEmpty && summary == nil], runID: id)
    }

    func apiRun(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let loaded: (LedgerRun?, RunTimeline, [ValueObject], [String])
        do { loaded = try await loadRun(id) } catch { return unavailable(error, request, context) }
        let (summary, timeline, records, pending) = loaded
        guard summary != nil || !records.isEmpty else { return views.error(.notFound, "the ledger has no run \(id)", request: request, context: context) }
        return ConsoleViews.json(.object([("run", summary?.json ?? .null), ("steps", .list(timeline.steps.map(Self.stepJSON))),
                                          ("pending_approvals", .list(pending.map(Value.string))), ("last_seq", .int(timeline.lastSeq)),
                                          ("records", .list(records.map(Value.object)))]))
    }

    static func stepJSON(_ s: RunTimeline.Step) -> Value {
        func opt(_ v: String?) -> Value { v.map(Value.string) ?? .null }
        return .object([("id", .string(s.id)), ("kind", opt(s.kind)), ("status", .string(s.displayStatus)), ("command", opt(s.command)),
                        ("planned", .bool(s.planned)), ("duration_ms", s.durationMs.map(Value.int) ?? .null), ("message", opt(s.message)),
                        ("excerpt", opt(s.excerpt)),
                        ("gates", .list(s.gates.map { g in
                            .object([("risk", .string(g.risk)), ("decision", .string(g.decision)), ("by", .string(g.by)), ("how", .string(g.how)),
                                     ("request_id", opt(g.requestID)), ("approvers", .list(g.approvers.map(Value.string)))])
                        }))])
    }

    // MARK: Events

    func events(_ request: Request, _ context: ConsoleContext) async -> Response {
        let run = request.uri.queryParameters.get("run").flatMap { $0.isEmpty ? nil : $0 }
        let (id, stream) = await hub.subscribe(run: run)
        let hub = self.hub
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
                        body: ResponseBody { writer in
                            try await withGracefulShutdownHandler {
                                for await event in stream {
                                    try await writer.write(ByteBuffer(string: event.sse))
                                }
                            } onGracefulShutdown: {
                                Task { await hub.finish(id) }
                            }
                            try await writer.finish(nil)
                        })
    }
}

extension Response {
    func withStatus(_ status: HTTPResponse.Status) -> Response {
        var copy = self
        copy.status = status
        return copy
    }
}
