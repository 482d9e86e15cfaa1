public import RunbookCore

/// An incident with its timeline, as the console shows it: the one ``Incident`` type, its
/// events oldest first, and what the ledger says of each run they name.
public struct IncidentTimeline: Sendable, Hashable {
    public var incident: Incident
    /// The timeline, oldest first.
    public var events: [IncidentEvent]
    /// Run id to the run's status in the ledger (`unfinished` without an end); a run the ledger
    /// has none of is absent.
    public var runStatuses: [String: String]

    /// An incident and its timeline.
    public init(incident: Incident, events: [IncidentEvent] = [], runStatuses: [String: String] = [:]) {
        self.incident = incident
        self.events = events
        self.runStatuses = runStatuses
    }

    /// The ledger's status of event `e`'s run; nil without a run or when the ledger has none.
    public func runStatus(of e: IncidentEvent) -> String? { e.runID.flatMap { runStatuses[$0] } }
}
