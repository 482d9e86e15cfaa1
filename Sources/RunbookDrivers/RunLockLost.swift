/// The run lock is no longer held: no further action may run.
public struct RunLockLost: Error, Sendable, CustomStringConvertible {
    public var key: String
    public var reason: String
    public var description: String { "the run lock \(key) was lost: \(reason)" }
}
