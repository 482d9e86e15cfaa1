/// Alertmanager did not do what a repair asked (it cannot be reached, or it refused): recorded
/// and said, never a reason to stop the repair.
public struct AlertmanagerError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
