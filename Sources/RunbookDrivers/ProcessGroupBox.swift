import Foundation
import Synchronization

/// The step's process group id (its session leader's pid), once it started.
final class ProcessGroupBox: Sendable {
    private let pgid = Mutex<pid_t?>(nil)
    var value: pid_t? {
        get { pgid.withLock { $0 } }
        set { pgid.withLock { $0 = newValue } }
    }
}
