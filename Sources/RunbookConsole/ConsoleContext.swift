public import Hummingbird
public import NIOCore

/// The console's request context: where the request came from (for `--trust-proxy`) and who
/// the user is, once ``ConsoleAuth`` has said.
public struct ConsoleContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's address (the proxy's, behind one).
    public let remoteAddress: SocketAddress?
    /// The signed-on user; nil before authentication.
    public var user: String?
    /// How the user was known: `proxy`, `token` (the Authorization header) or `cookie`.
    public var authenticatedBy: String?
    /// The cross-site request token of this browser (the `runbook_csrf` cookie), which every
    /// form carries back; ``ConsoleAuth`` sets the cookie when the browser has none yet.
    public var csrf = ""
    /// The fields of a posted form (`application/x-www-form-urlencoded`), read once.
    public var form: [String: String] = [:]

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
