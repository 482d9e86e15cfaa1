/// `retry: {until: expr, every: 10s, for: 5m}`: repeat a check until the condition holds.
public struct RetrySpec: Sendable {
    /// The condition that ends the retries, evaluated with `result` after each attempt.
    public var until: Located<Expression>
    /// `every:`, the pause between attempts (default 10s).
    public var every: Duration
    /// `for:`, how long to keep trying from the step's start (default 5m); then the check gives up
    /// red.
    public var total: Duration
    /// A retry.
    public init(until: Located<Expression>, every: Duration, total: Duration) {
        self.until = until
        self.every = every
        self.total = total
    }
}
