/// A problem parsing or evaluating an expression: the message, and where in the
/// expression's text (a character offset) it was found.
public struct ExpressionError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    /// Character offset into the expression source.
    public var offset: Int

    public init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { message }
}
