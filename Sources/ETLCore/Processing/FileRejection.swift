/// A file that cannot be parsed at all (no content, wrong header): the whole file fails.
public struct FileRejection: Error, Sendable, Equatable {
    /// `validation` for a wrong shape, `resource` for a file over the size limit.
    public var errorType: ErrorType
    /// What is wrong.
    public var message: String
}
