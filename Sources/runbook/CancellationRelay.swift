import Foundation
import RunbookCore

/// Cancels a task that may not exist yet: a signal that arrives before `attach` cancels the
/// task as soon as it is attached.
final class CancellationRelay: @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<RunReport, Never>?
    private var cancelled = false

    func attach(_ task: Task<RunReport, Never>) {
        let cancelNow = lock.withLock { () -> Bool in
            self.task = task
            return cancelled
        }
        if cancelNow { task.cancel() }
    }

    func cancel() {
        let task = lock.withLock { () -> Task<RunReport, Never>? in
            cancelled = true
            return self.task
        }
        task?.cancel()
    }
}
