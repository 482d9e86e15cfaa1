/// Told of every condition the executor decides on (`when`, `thresholds.red`, `retry.until`...)
/// and whether it held: what `runbook test --coverage` counts. A real run has none.
public protocol ExpressionProbe: Sendable {
    /// `key` (`when`, `thresholds.yellow`...) of step `step` evaluated to a value whose truth is `held`.
    func evaluated(step: String, key: String, held: Bool)
}
