import PostgresNIO

/// The worker's claim on a file is no longer its own: since it claimed the file, someone
/// re-queued it (`POST /files/{id}/reprocess` on a file stuck in `processing`, as the
/// pending-files runbook does) and perhaps another worker claimed it. The worker's result is
/// rolled back: only the current claim may complete a file, so a file is never loaded twice.
public struct ClaimLost: Error, Sendable, Equatable {
    /// `etl_file.id`.
    public var fileID: Int64

    /// `error`, or the ``ClaimLost`` inside it when it is PostgresNIO's wrapper of an error
    /// thrown in a transaction's closure (the transaction was rolled back).
    static func unwrapped(_ error: any Error) -> any Error {
        if let wrapper = error as? PostgresTransactionError, let lost = wrapper.closureError as? ClaimLost,
           wrapper.rollbackError == nil {
            return lost
        }
        return error
    }
}
