/// `thresholds: {red: expr, yellow: expr}`.
public struct Threshold: Sendable {
    /// The colour given when the condition holds (`red`, `yellow` or `green`).
    public var status: CheckStatus
    /// The expression, evaluated with `result` bound to the step's result.
    public var condition: Located<Expression>
    /// A threshold.
    public init(status: CheckStatus, condition: Located<Expression>) {
        self.status = status
        self.condition = condition
    }
}
