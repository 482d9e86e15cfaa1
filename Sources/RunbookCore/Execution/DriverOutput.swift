import Foundation

/// What a driver returns: the step's `result` value, whether it succeeded by the driver's
/// own rule (exit 0, 2xx or the expected status, statement committed), and a bounded excerpt.
public struct DriverOutput: Sendable {
    /// The step's `result` (`rows`, `exit_code`, `status`, `json`...), as the driver saw it:
    /// thresholds and `retry.until` read it unredacted; reports and the audit get it redacted.
    public var result: Value
    /// Success by the driver's own rule. It decides a check's colour only when the check has no
    /// thresholds and no Nagios status; `false` makes an action `failed`.
    public var succeeded: Bool
    /// The Nagios status, for shell checks that opt into it.
    public var nagiosStatus: CheckStatus?
    /// A short human-readable excerpt of the output (already bounded by the driver).
    public var excerpt: String
    /// SHA-256 of the whole output, for the audit log.
    public var digest: String
    /// Why it did not succeed, in the driver's words (a notify step: each channel's answer);
    /// nil lets the executor say it (`exited with status 2`, `HTTP 500`).
    public var failure: String?

    /// An output; `excerpt` should already be bounded and `digest` a hex SHA-256 of the raw output.
    public init(result: Value, succeeded: Bool, nagiosStatus: CheckStatus? = nil, excerpt: String, digest: String, failure: String? = nil) {
        self.failure = failure
        self.result = result
        self.succeeded = succeeded
        self.nagiosStatus = nagiosStatus
        self.excerpt = excerpt
        self.digest = digest
    }
}
