/// A CSV row the parser refused; it goes to the dead letter queue.
public struct RejectedRow: Error, Sendable, Equatable {
    /// 1-based line number in the file (the header is line 1).
    public var line: Int
    /// The row as it was written.
    public var raw: String
    /// `validation` for a malformed row, `data` for implausible values.
    public var errorType: ErrorType
    /// What is wrong, naming the column.
    public var message: String

    /// Creates a rejected row.
    public init(line: Int, raw: String, errorType: ErrorType, message: String) {
        self.line = line
        self.raw = raw
        self.errorType = errorType
        self.message = message
    }
}
