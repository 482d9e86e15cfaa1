public import Hummingbird
public import NIOCore

/// The runner's request context: Hummingbird's basic one and the peer's address, which the
/// alert webhook's refusals log.
public struct RunnerContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's address (the proxy's, behind one).
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
