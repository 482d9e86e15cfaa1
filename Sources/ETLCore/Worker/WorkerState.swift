import Foundation
import Synchronization

/// What the worker tells the rest of the process: its heartbeat and running totals.
public final class WorkerState: Sendable {
    /// A consistent copy of the state.
    public struct Snapshot: Sendable {
        /// Monotonic time of the last heartbeat.
        public var lastHeartbeat: ContinuousClock.Instant?
        /// Wall-clock time of the last heartbeat, for display.
        public var lastHeartbeatDate: Date?
        /// Files finished (loaded or error) by this process.
        public var filesProcessed = 0
        /// Rows loaded by this process.
        public var rowsLoaded = 0
        /// Sum of per-file processing times, milliseconds.
        public var processingMillisecondsSum = 0
        /// The worker loop has seen the `worker_stopped` (or `stalled`) fault and is idle: no
        /// claim of its is on the way, and it claims nothing until the fault is cleared.
        public var pausedByFault = false
        /// The file the worker is processing now, if any.
        public var processingFileID: Int64?
        /// Monotonic time it started on that file.
        public var processingSince: ContinuousClock.Instant?
    }

    private let state = Mutex(Snapshot())

    /// Creates an empty state (no heartbeat yet).
    public init() {}

    /// A copy of the state.
    public var snapshot: Snapshot { state.withLock { $0 } }

    /// Records that the worker loop is alive now.
    public func heartbeat() {
        state.withLock {
            $0.lastHeartbeat = .now
            $0.lastHeartbeatDate = Date()
        }
    }

    /// Records that the worker started on file `id`.
    public func beginFile(_ id: Int64) {
        state.withLock {
            $0.processingFileID = id
            $0.processingSince = .now
        }
    }

    /// Records that the worker is done with its file.
    public func endFile() {
        state.withLock {
            $0.processingFileID = nil
            $0.processingSince = nil
        }
    }

    /// Records whether the worker loop is idle because of a fault.
    public func setPausedByFault(_ paused: Bool) {
        state.withLock { $0.pausedByFault = paused }
    }

    /// Records a finished file.
    public func recordFile(rowsLoaded: Int, milliseconds: Int) {
        state.withLock {
            $0.filesProcessed += 1
            $0.rowsLoaded += rowsLoaded
            $0.processingMillisecondsSum += milliseconds
        }
    }

    /// True when the last heartbeat is younger than `timeout`.
    public func isAlive(timeout: Duration) -> Bool {
        guard let last = snapshot.lastHeartbeat else { return false }
        return ContinuousClock.now - last < timeout
    }
}
