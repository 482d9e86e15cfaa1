/// A problem parsing or evaluating an expression: the message, and where in the
/// expression's text (a character offset) it was found.
public struct ExpressionError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What is wrong, in words for the runbook's author. It may quote a value (`division by
    /// zero: 5 / 0`, `int(): 'abc' is not a number`), so callers redact it before showing it.
    public var message: String
    /// Character offset into the expression source.
    public var offset: Int

    /// An error at character `offset` of the expression's source.
    public init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }

    /// The message alone; callers add the step, the key and the location.
    public var description: String { message }
}
