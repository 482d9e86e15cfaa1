public import NIOCore
import NIOPosix
import Synchronization

/// The NIO event loops the network drivers (SQL, HTTP) of one run share: one thread, started
/// by the first step that needs the network and stopped by ``shutdown()`` after the drivers.
///
/// A run makes a handful of connections, so one event-loop thread is plenty. NIO's singleton
/// group, what PostgresNIO and AsyncHTTPClient use by default, starts one thread per core
/// (each with its stack and, once it allocates, its own malloc arena) and is never stopped.
public final class DriverEventLoops: Sendable {
    enum State {
        case idle
        case running(MultiThreadedEventLoopGroup)
        case shutDown
    }

    /// NIO's singleton group, for a driver made on its own (tests, tools): nothing to stop.
    public static let singleton = DriverEventLoops(threads: 0)

    private let threads: Int
    private let state = Mutex(State.idle)

    /// A group of `threads` event loops, started on first use.
    public init(threads: Int = 1) {
        self.threads = threads
    }

    /// The group, started now if it was not yet. After ``shutdown()``, NIO's singleton (a
    /// driver used after the run is over fails on its own "already shut down" check first).
    public var group: any EventLoopGroup {
        guard threads > 0 else { return MultiThreadedEventLoopGroup.singleton }
        return state.withLock { state -> any EventLoopGroup in
            switch state {
            case .running(let group):
                return group
            case .shutDown:
                return MultiThreadedEventLoopGroup.singleton
            case .idle:
                let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
                state = .running(group)
                return group
            }
        }
    }

    /// Stops the threads, when they were started (idempotent). Call it after the drivers
    /// that use them were shut down.
    public func shutdown() async {
        let group: MultiThreadedEventLoopGroup? = state.withLock { state in
            defer { state = .shutDown }
            if case .running(let group) = state { return group }
            return nil
        }
        try? await group?.shutdownGracefully()
    }
}
