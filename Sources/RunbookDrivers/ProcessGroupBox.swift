import Foundation

/// The step's process group id (its session leader's pid), once it started.
final class ProcessGroupBox: @unchecked Sendable {
    private let lock = NSLock()
    private var pgid: pid_t?
    var value: pid_t? {
        get { lock.withLock { pgid } }
        set { lock.withLock { pgid = newValue } }
    }
}
