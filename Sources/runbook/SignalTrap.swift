import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Cancels the run on SIGINT, SIGTERM or SIGHUP (a dropped SSH session), so the running
/// step stops its child processes and the audit log records the interruption. A second
/// signal exits at once (130). ``cancel()`` restores the default handlers.
final class SignalTrap: @unchecked Sendable {
    static let signals = [SIGINT, SIGTERM, SIGHUP]
    private var sources: [any DispatchSourceSignal] = []
    private let lock = NSLock()
    private var count = 0

    init(onSignal: @escaping @Sendable () -> Void) {
        for sig in Self.signals {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                let n = self.lock.withLock { () -> Int in
                    self.count += 1
                    return self.count
                }
                if n == 1 {
                    StandardStreams.err("\ninterrupted: stopping the current step (again to quit at once)\n")
                    onSignal()
                } else {
                    _exit(130)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Stops trapping and restores the default disposition of each signal.
    func cancel() {
        sources.forEach { $0.cancel() }
        sources.removeAll()
        for sig in Self.signals { signal(sig, SIG_DFL) }
    }
}
