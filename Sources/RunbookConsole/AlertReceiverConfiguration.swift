public import Foundation
public import RunbookCore

/// What `runbook serve --alerts-token-file FILE` turns on: Alertmanager's webhook at
/// `POST /api/alerts` (docs/alerts.md).
public struct AlertReceiverConfiguration: Sendable {
    /// The bearer token Alertmanager sends (`http_config.authorization.credentials_file`).
    public var token: String
    /// The project folder whose runbooks (and their `triggers:`) answer alerts; pinned at start.
    public var home: URL
    /// The runbooks, loaded once at start: their triggers route the alerts.
    public var runbooks: [Runbook]
    /// The `runbook` binary that runs each diagnosis (a dry run) as a child process.
    public var binary: String
    /// `escalation.yaml`, for the incidents it opens.
    public var ladder: Escalation?
    /// The console's address for links in the channel; nil: no link.
    public var consoleURL: String?
    /// Diagnoses running at once, at most.
    public var concurrency: Int
    /// A repeat notification with unchanged inputs diagnoses again only after this long.
    public var rediagnoseAfter: TimeInterval
    /// The largest body accepted (413 past it).
    public var bodyLimit: Int
    /// How long one diagnosis may take before it is stopped.
    public var diagnosisTimeout: Duration

    /// The path Alertmanager posts to.
    public static let path = "/api/alerts"

    /// A configuration; `concurrency` 4, a repeat re-diagnosed after 15 minutes, bodies up to 1 MiB.
    public init(token: String, home: URL, runbooks: [Runbook], binary: String, ladder: Escalation?, consoleURL: String?,
                concurrency: Int = 4, rediagnoseAfter: TimeInterval = 900, bodyLimit: Int = 1 << 20, diagnosisTimeout: Duration = .seconds(300)) {
        self.token = token
        self.home = home
        self.runbooks = runbooks
        self.binary = binary
        self.ladder = ladder
        self.consoleURL = consoleURL
        self.concurrency = max(1, concurrency)
        self.rediagnoseAfter = rediagnoseAfter
        self.bodyLimit = bodyLimit
        self.diagnosisTimeout = diagnosisTimeout
    }
}
