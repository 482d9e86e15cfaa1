/// What the parser made of a file: the rows to load and the rows to reject.
public struct ParsedFile: Sendable, Equatable {
    /// Valid rows, in file order.
    public var lots: [CattleLot]
    /// Refused rows, in file order.
    public var rejected: [RejectedRow]
}
