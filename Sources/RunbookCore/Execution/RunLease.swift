import Foundation

/// The run lock as a lease: a live run checks it before every action, and once it is lost
/// no further action runs.
public protocol RunLease: Sendable {
    /// Throws, saying why, when the lock is no longer held.
    func verify() async throws
}
