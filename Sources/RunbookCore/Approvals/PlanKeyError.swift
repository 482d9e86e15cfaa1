/// A plan key that cannot be used (unreadable, too short).
public struct PlanKeyError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, naming the file (never its content).
    public var message: String
    /// An error saying `message`.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
