import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Cancels the run on SIGINT, SIGTERM or SIGHUP (a dropped SSH session), so the running
/// step stops its child processes and the audit log records the interruption. A second
/// signal exits at once (130). ``cancel()`` restores the default handlers.
final class SignalTrap: Sendable {
    static let signals = [SIGINT, SIGTERM, SIGHUP]
    /// The dispatch sources (thread-safe objects), made once here and only cancelled after.
    private nonisolated(unsafe) let sources: [any DispatchSourceSignal]
    private let count = Atomic(0)

    init(onSignal: @escaping @Sendable () -> Void) {
        var made: [any DispatchSourceSignal] = []
        for sig in Self.signals {
            signal(sig, SIG_IGN)
            made.append(DispatchSource.makeSignalSource(signal: sig, queue: .global()))
        }
        sources = made
        for source in sources {
            source.setEventHandler { [weak self] in
                guard let self else { return }
                let n = self.count.add(1, ordering: .sequentiallyConsistent).newValue
                if n == 1 {
                    StandardStreams.err("\ninterrupted: stopping the current step (again to quit at once)\n")
                    onSignal()
                } else {
                    _exit(130)
                }
            }
            source.resume()
        }
    }

    /// Stops trapping and restores the default disposition of each signal.
    func cancel() {
        sources.forEach { $0.cancel() }
        for sig in Self.signals { signal(sig, SIG_DFL) }
    }
}
