import Synchronization

/// What a command said, kept (a service that calls the runner shows it in its own answer).
public final class CapturedOutput: Sendable {
    private let text = Mutex((out: "", err: ""))

    public init() {}

    /// An output that appends here.
    public var output: RunOutput {
        RunOutput(out: { part in self.text.withLock { $0.out += part } }, err: { part in self.text.withLock { $0.err += part } })
    }

    /// Standard output so far.
    public var out: String { text.withLock { $0.out } }
    /// Standard error so far.
    public var err: String { text.withLock { $0.err } }
}
