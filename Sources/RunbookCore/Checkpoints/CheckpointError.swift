/// A checkpoint could not be made, stored or read.
public struct CheckpointError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// An error saying `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
