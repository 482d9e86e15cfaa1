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
        return ["status": status, "tone": style.tone, "glyph": style.webGlyph]
    }

    /// The first line of `text`, at most 120 characters.
    static func line(_ text: String) -> String {
        let first = text.split(separator: "\n").first.map(String.init) ?? ""
        return first.count > 120 ? String(first.prefix(119)) + "…" : first
    }

    /// A ``ResultTable`` for the `result-table` template.
    static func table(_ t: ResultTable, label: String) -> [String: Any] {
        var data: [String: Any] = [
            "label": label, "summary": t.summary,
            "columns": t.columns.indices.map { ["name": t.columns[$0], "numeric": t.numeric[$0]] as [String: Any] },
            "rows": t.rows.map { row in
                ["cells": row.indices.map { c in ["text": row[c].text, "numeric": t.numeric[c], "highlighted": row[c].highlighted] as [String: Any] }]
            },
        ]
        if t.more > 0 { data["more"] = String(t.more) }
        return data
    }

    /// What an approvals card shows of a request's plan, in the order an approver reads it:
    /// the sentence, the command, the question and inputs, then each finding with the values
    /// the action read and its rows as a table (those values marked).
    static func plan(_ r: ApprovalRequest) -> [String: Any] {
        let plan = ApprovalPlan(json: r.plan)
        var data: [String: Any] = ["sentence": PlanText.sentence(r, plan: plan)]
        guard let plan else {
            data["unreadable"] = true
            return data
        }
        data["command"] = plan.display
        if let q = plan.question { data["question"] = q }
        if case .object(let inputs) = plan.inputs, !inputs.pairs.isEmpty {
            data["inputs"] = ["items": inputs.pairs.map { ["key": $0.key, "value": $0.value.interpolated] }]
        }
        if !plan.alreadyDone.isEmpty { data["alreadyDone"] = plan.alreadyDone.joined(separator: ", ") }
        data["noFindings"] = plan.findings.isEmpty
        data["findings"] = plan.findings.map { f -> [String: Any] in
            var item = styled(f.status)
            item["step"] = f.step
            if f.title != f.step { item["title"] = f.title }
            let rows = f.excerpt.flatMap { ResultTable(excerpt: $0, highlight: ResultTable.highlights(in: (f.values + f.evidence).map(\.path), step: f.step)) }
            var values: [[String: Any]] = []
            for v in f.values {
                // Whole rows read (`pluck(steps.x.result.rows, ...)`) are the table, not a line of JSON.
                if rows != nil, v.path == "steps.\(f.step).result.rows" { values.append(["path": v.path, "read": "reads", "rows": true]) }
                else { values.append(["path": v.path, "value": v.value.stringValue ?? JSON.encode(v.value), "read": "read"]) }
            }
            values += f.evidence.map { ["path": $0.path, "value": $0.value.stringValue ?? JSON.encode($0.value), "read": "\(f.status) as"] }
            item["values"] = values
            item["hasValues"] = !values.isEmpty
            if let rows {
                item["table"] = table(rows, label: "rows of \(f.step)")
            } else if let e = f.excerpt, !e.isEmpty {
                item["excerpt"] = e
            }
            return item
        }
        return data
    }

    /// A stale approval's diff lines (`error-rate: red 15 -> green 2 since approval`) as
    /// before/after rows; a line of another shape is a row with only its text.
    static func changes(_ lines: [String]) -> [[String: Any]] {
        lines.map { line in
            var text = Substring(line)
            if text.hasSuffix(" since approval") { text = text.dropLast(" since approval".count) }
            guard let colon = text.range(of: ": "), let arrow = text.range(of: " -> ", range: colon.upperBound..<text.endIndex) else {
                return ["what": line, "before": "", "after": ""]
            }
            return ["what": String(text[..<colon.lowerBound]), "before": String(text[colon.upperBound..<arrow.lowerBound]),
                    "after": String(text[arrow.upperBound...])]
        }
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
        let runMessage = t.message ?? ""
        var lastSkip: String?
        data["steps"] = t.steps.map { s -> [String: Any] in
            var step = Self.styled(s.displayStatus)
            // Keys the run has too are set on every step: Mustache looks a missing key up in
            // the enclosing context, which showed the run's message and duration under steps.
            step["message"] = false
            step["duration"] = false
            step["id"] = s.id
            step["kind"] = s.kind ?? ""
            // Red, yellow and failed steps open; the others show their verdict line only.
            step["open"] = ["red", "yellow", "magenta"].contains(step["tone"] as? String ?? "")
            if let c = s.command {
                step["command"] = c
                step["verb"] = s.planned ? "would run" : "runs"
            }
            if let ms = s.durationMs { step["duration"] = Self.duration(ms) }
            if let a = s.attempts, a > 1 { step["attempts"] = String(a) }
            // The run's stop reason is said once, in its head; steps skipped for one reason say
            // it once; a verdict line is not repeated below it.
            if let r = s.skippedReason {
                let said = r == lastSkip || (!runMessage.isEmpty && (r == runMessage || runMessage.contains(r) || r.contains(runMessage)))
                step["verdict"] = said ? "skipped (the reason above)" : "skipped: " + Self.line(r)
                if !said, Self.line(r) != r { step["skipped"] = r }
                lastSkip = r
            } else {
                lastSkip = nil
            }
            if let m = s.message, !m.isEmpty, m != runMessage, !runMessage.contains(m), !m.contains(runMessage) || runMessage.isEmpty {
                step["verdict"] = Self.line(m)
                if Self.line(m) != m { step["message"] = m }
            }
            if let e = s.excerpt, !e.isEmpty {
                if let table = ResultTable(excerpt: e) { step["table"] = Self.table(table, label: "rows of \(s.id)") } else { step["excerpt"] = e }
            }
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
            if let g = s.gates.last, step["verdict"] == nil { step["verdict"] = "gate: \(g.decision) by \(g.by)" }
            if !s.staleDiff.isEmpty { step["stale"] = ["changes": Self.changes(s.staleDiff)] }
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
