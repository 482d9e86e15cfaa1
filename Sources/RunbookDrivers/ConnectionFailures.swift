import Logging
import Synchronization

/// Counts the connection attempts a `PostgresClient` saw fail, by listening to its background
/// logger (the pool reports "Connection creation failed" there). The pool itself keeps retrying
/// for a minute before it fails a waiting lease; this lets the SQL driver fail a step as soon as
/// the first attempt fails instead.
final class ConnectionFailures: Sendable {
    private let count = Mutex(0)

    /// Failures seen so far.
    var total: Int { count.withLock { $0 } }

    func record() { count.withLock { $0 += 1 } }

    /// A logger whose handler records failures (and prints nothing).
    func logger() -> Logger {
        Logger(label: "runbook.sql.pool") { _ in Handler(failures: self) }
    }

    struct Handler: LogHandler {
        let failures: ConnectionFailures
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            if event.message.description == "Connection creation failed" { failures.record() }
        }
    }
}
