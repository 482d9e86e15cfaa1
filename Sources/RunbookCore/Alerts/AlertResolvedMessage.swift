/// The message posted to the incident channel when an alert resolves: by Alertmanager's
/// `resolved` notification (the receiver), or found resolved by a repair's run when it
/// expired the silence that muted it (Alertmanager sends nothing for an alert that resolved
/// while silenced). Either way once per alert (the ledger decides). Pure.
public struct AlertResolvedMessage: Sendable {
    public var alert: String
    public var incident: String
    public var environment: String
    /// How it was learnt, when not from Alertmanager's notification (said after the title).
    public var note: String?

    public init(alert: String, incident: String, environment: String, note: String? = nil) {
        self.alert = alert
        self.incident = incident
        self.environment = environment
        self.note = note
    }

    public var text: String {
        "✅ ALERT \(alert) resolved · \(incident)" + (note.map { " (\($0))" } ?? "")
            + "\nThe incident stays open until someone resolves it: runbook incident resolve \(incident) --env \(environment) ..."
    }
}
