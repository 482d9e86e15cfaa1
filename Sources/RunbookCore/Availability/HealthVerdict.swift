/// What one probe of etl-core's `GET /health` says about availability: up only when the
/// service answered 200 with an object whose `status` is `"ok"` (the rule of the `api-health`
/// check); a degraded worker (503), a database down, an error page, no answer: down. Pure, so
/// the rule is tested without a server.
public struct HealthVerdict: Sendable, Equatable {
    /// Whether the minute counts as up.
    public var up: Bool
    /// Why, in a few words (kept with the probe in the ledger): `HTTP 200 ok`,
    /// `HTTP 503 degraded`, `no answer: connection refused`.
    public var detail: String

    /// A verdict.
    public init(up: Bool, detail: String) {
        self.up = up
        self.detail = detail
    }

    /// The verdict for an answer: its HTTP status and the body as JSON (nil when it was not JSON).
    public static func answered(status: Int, json: Value?) -> HealthVerdict {
        let reported = json?.objectValue?["status"]?.stringValue
        let up = status == 200 && reported == "ok"
        return HealthVerdict(up: up, detail: "HTTP \(status) " + (reported.map { String($0.prefix(40)) } ?? "without a status"))
    }

    /// The verdict when the service could not be reached at all.
    public static func unanswered(_ reason: String) -> HealthVerdict {
        HealthVerdict(up: false, detail: "no answer: \(reason)")
    }
}
