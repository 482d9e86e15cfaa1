/// The flags of one `runbook run`, as given: the CLI fills them from its arguments, the runner
/// from a signed request (where `key`, `operatorName` and `auditLog` are the runner's, never
/// the requester's). Codable: a run request carries them.
public struct RunOptions: Sendable, Codable, Equatable {
    /// The runbook id.
    public var runbook: String
    /// The environment's name (environments/NAME.yaml).
    public var environment: String = "sandbox"
    public var dryRun = false
    /// `--input NAME=VALUE`, in order.
    public var inputs: [String] = []
    public var yes = false
    public var scheduled = false
    public var scheduledDayOnly = false
    /// `--approve ACTION`, in order.
    public var approve: [String] = []
    /// `--format json`.
    public var json = false
    public var incidentAge: String?
    public var incident: String?
    public var lockWait = "30s"
    public var resume: String?
    public var waitApproval: String?
    /// `--operator` (local runs only: the runner's operator is the principal it verified).
    public var operatorName: String?
    /// `--key` (local runs only).
    public var key: String?
    /// `--audit-log` (local runs only).
    public var auditLog: String?

    public init(runbook: String) {
        self.runbook = runbook
    }

    enum CodingKeys: String, CodingKey {
        case runbook, environment, dryRun = "dry_run", inputs, yes, scheduled, scheduledDayOnly = "scheduled_day_only", approve, json
        case incidentAge = "incident_age", incident, lockWait = "lock_wait", resume, waitApproval = "wait_approval"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        runbook = try c.decode(String.self, forKey: .runbook)
        environment = try c.decode(String.self, forKey: .environment)
        dryRun = try c.decodeIfPresent(Bool.self, forKey: .dryRun) ?? false
        inputs = try c.decodeIfPresent([String].self, forKey: .inputs) ?? []
        yes = try c.decodeIfPresent(Bool.self, forKey: .yes) ?? false
        scheduled = try c.decodeIfPresent(Bool.self, forKey: .scheduled) ?? false
        scheduledDayOnly = try c.decodeIfPresent(Bool.self, forKey: .scheduledDayOnly) ?? false
        approve = try c.decodeIfPresent([String].self, forKey: .approve) ?? []
        json = try c.decodeIfPresent(Bool.self, forKey: .json) ?? false
        incidentAge = try c.decodeIfPresent(String.self, forKey: .incidentAge)
        incident = try c.decodeIfPresent(String.self, forKey: .incident)
        lockWait = try c.decodeIfPresent(String.self, forKey: .lockWait) ?? "30s"
        resume = try c.decodeIfPresent(String.self, forKey: .resume)
        waitApproval = try c.decodeIfPresent(String.self, forKey: .waitApproval)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(runbook, forKey: .runbook)
        try c.encode(environment, forKey: .environment)
        try c.encode(dryRun, forKey: .dryRun)
        try c.encode(inputs, forKey: .inputs)
        try c.encode(yes, forKey: .yes)
        try c.encode(scheduled, forKey: .scheduled)
        try c.encode(scheduledDayOnly, forKey: .scheduledDayOnly)
        try c.encode(approve, forKey: .approve)
        try c.encode(json, forKey: .json)
        try c.encodeIfPresent(incidentAge, forKey: .incidentAge)
        try c.encodeIfPresent(incident, forKey: .incident)
        try c.encode(lockWait, forKey: .lockWait)
        try c.encodeIfPresent(resume, forKey: .resume)
        try c.encodeIfPresent(waitApproval, forKey: .waitApproval)
    }
}
