import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import RunbookCore
import RunbookLedger

/// Renders the console's pages from ``Templates`` (Mustache: every `{{value}}` is HTML-escaped,
/// so nothing a run, a runbook, an input or an output says can become markup) and answers
/// errors as a page for a browser or JSON under `/api/`.
public struct ConsoleViews: Sendable {
    let library: MustacheLibrary
    /// The environment's name, shown on every page.
    let environment: String

    init(environment: String) {
        var library = MustacheLibrary()
        for (name, text) in Templates.all {
            // The templates are ours and tested; a parse error is a bug caught by any test.
            try! library.register(text, named: name)
        }
        self.library = library
        self.environment = environment
    }

    func render(_ name: String, _ data: [String: Any]) -> String {
        library.render(data, withTemplate: name) ?? ""
    }

    /// A whole page: `name` rendered into the layout.
    func page(_ name: String, title: String, context: ConsoleContext, data: [String: Any], status: HTTPResponse.Status = .ok,
              runID: String? = nil) -> Response
    {
        page(name, title: title, user: context.user, csrf: context.csrf, data: data, status: status, runID: runID)
    }

    func page(_ name: String, title: String, user: String?, csrf: String, data: [String: Any], status: HTTPResponse.Status = .ok,
              runID: String? = nil) -> Response
    {
        var data = data
        data["csrf"] = csrf
        data["environment"] = environment
        let body = render(name, data)
        var layout: [String: Any] = ["title": title, "page": name, "body": body, "environment": environment,
                                     "onRuns": name == "runs" || name == "run", "onApprovals": name == "approvals",
                                     "onIncidents": name == "incidents", "onAudit": name == "audit"]
        if let user { layout["user"] = user }
        if let runID { layout["runID"] = runID }
        return Self.html(render("layout", layout), status: status)
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ value: Value, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: JSON.encode(value, pretty: true) + "\n")))
    }

    static func wantsJSON(_ request: Request) -> Bool {
        request.uri.path.hasPrefix("/api/") || request.uri.path == "/metrics"
    }

    /// 401: no known user.
    func unauthorized(_ request: Request, csrf: String, message: String? = nil) -> Response {
        var response: Response
        if Self.wantsJSON(request) {
            response = Self.json(.object([("error", .string("unauthorized: sign in through the proxy, or send Authorization: Bearer TOKEN"))]), status: .unauthorized)
        } else {
            response = page("login", title: "Sign in", user: nil, csrf: csrf, data: message.map { ["message": $0] } ?? [:], status: .unauthorized)
        }
        response.headers[.wwwAuthenticate] = "Bearer realm=\"runbook\""
        return response
    }

    /// An error page or JSON object with `message`.
    func error(_ status: HTTPResponse.Status, _ message: String, request: Request, context: ConsoleContext) -> Response {
        if Self.wantsJSON(request) { return Self.json(.object([("error", .string(message))]), status: status) }
        return page("message", title: "\(status.code)", context: context,
                    data: ["heading": "\(status.code) \(status.reasonPhrase)", "message": message, "tone": "red", "back": "/"], status: status)
    }

    // MARK: View models

    static func time(_ date: Date?) -> String {
        guard let date else { return "-" }
        return ApprovalRequest.time(Int(date.timeIntervalSince1970))
    }

    static func time(iso: String?) -> String {
        guard let iso else { return "-" }
        return iso.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
    }

    static func duration(_ ms: Int?) -> String {
        ms.map { DurationText.format(.milliseconds($0)) } ?? "-"
    }

    /// A path segment for an id (the id is escaped again by the template).
    static func pathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    static func styled(_ status: String) -> [String: Any] {
        let style = StatusStyle(status)
        return ["status": status, "tone": style.tone, "glyph": style.glyph]
    }

    static func runRow(_ run: LedgerRun) -> [String: Any] {
        var row = styled(run.displayStatus)
        row["id"] = run.runID
        row["idPath"] = pathSegment(run.runID)
        row["runbook"] = run.runbook ?? "?"
        row["environment"] = run.environment ?? "?"
        row["mode"] = run.mode ?? "?"
        row["operator"] = run.operatorName ?? "?"
        row["started"] = time(run.startedAt)
        row["duration"] = run.durationMs.map { duration($0) } ?? (run.active ? "running" : "-")
        return row
    }

    /// The live part of a run's page (its header and steps): rendered for the page and, at
    /// each change, once for every browser following it.
    func runLive(_ t: RunTimeline, summary: LedgerRun?, pending: [String] = []) -> String {
        let status = summary?.displayStatus ?? t.status ?? "running"
        var data = Self.styled(status)
        data["runbook"] = t.runbook ?? summary?.runbook ?? "?"
        data["environment"] = t.environment ?? summary?.environment ?? "?"
        data["mode"] = t.mode ?? "?"
        data["operator"] = t.operatorName ?? "?"
        if let host = t.host { data["host"] = host }
        data["started"] = Self.time(iso: t.startedAt)
        data["duration"] = t.durationMs.map { Self.duration($0) } ?? "running"
        if let exit = t.exitCode { data["exitCode"] = String(exit) }
        if let lock = t.runLock { data["runLock"] = lock }
        data["inputs"] = t.inputs.map { ["key": $0.key, "value": $0.value] }
        data["hasInputs"] = !t.inputs.isEmpty
        if let m = t.message, !m.isEmpty { data["message"] = m }
        data["pending"] = pending.map { ["id": $0] }
        data["hasPending"] = !pending.isEmpty
        data["steps"] = t.steps.map { s -> [String: Any] in
            var step = Self.styled(s.displayStatus)
            step["id"] = s.id
            step["kind"] = s.kind ?? ""
            if let c = s.command {
                step["command"] = c
                step["verb"] = s.planned ? "would run" : "runs"
            }
            if let ms = s.durationMs { step["duration"] = Self.duration(ms) }
            if let a = s.attempts, a > 1 { step["attempts"] = String(a) }
            if let r = s.skippedReason { step["skipped"] = r }
            if let m = s.message, !m.isEmpty { step["message"] = m }
            if let e = s.excerpt, !e.isEmpty { step["excerpt"] = e }
            step["gates"] = s.gates.map { g -> [String: Any] in
                var gate = Self.styled(g.decision)
                gate["risk"] = g.risk
                gate["decision"] = g.decision
                gate["by"] = g.by
                gate["how"] = g.how
                if let q = g.question { gate["question"] = q }
                if let r = g.requestID { gate["requestID"] = r }
                if !g.approvers.isEmpty { gate["approvers"] = g.approvers.joined(separator: ", ") }
                return gate
            }
            step["stale"] = s.staleDiff
            step["hasStale"] = !s.staleDiff.isEmpty
            return step
        }
        if let ended = t.endedAt {
            data["ended"] = Self.time(iso: ended)
        } else {
            data["stillRunning"] = summary?.active == true ? "still running" : "no end recorded yet (running elsewhere, killed, or not in the ledger yet)"
        }
        return render("run-live", data)
    }
}
