/// Which runbook answers one alert, and with which inputs: the first runbook (by id) with a
/// trigger matching the alert's labels. Pure.
public struct AlertRoute: Sendable, Equatable {
    /// The runbook that answers.
    public var runbook: String
    /// Its inputs from the alert's labels (`name=value`, the trigger's order).
    public var inputs: [String]

    /// The route for an alert with `labels`; nil when no trigger of `runbooks` matches.
    public static func find(labels: [String: String], in runbooks: [Runbook]) -> AlertRoute? {
        for runbook in runbooks.sorted(by: { $0.id < $1.id }) {
            if let trigger = runbook.triggers.first(where: { $0.matches(labels) }) {
                return AlertRoute(runbook: runbook.id, inputs: trigger.inputValues(from: labels).map { "\($0.name)=\($0.value)" })
            }
        }
        return nil
    }

    /// A digest of what the diagnosis depends on (runbook and inputs): a repeat notification
    /// with the same digest does not diagnose again until the re-diagnosis interval has passed.
    public var inputsKey: String {
        ([runbook] + inputs).joined(separator: "\u{1F}")
    }
}
