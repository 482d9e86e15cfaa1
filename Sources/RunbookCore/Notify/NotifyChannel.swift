/// One place a notify step's message goes, named by the environment under
/// `notify.channels.<name>`: a Slack or Teams webhook, a signed JSON webhook, an email through
/// SMTP, a file or standard output. The names `log` (the environment's `notify.log`) and
/// `stdout` are built in and always exist.
///
/// URLs, webhook secrets and SMTP passwords are secrets: ``Environment/load(name:home:processEnvironment:)``
/// adds them to the environment's redacted strings, and nothing of ours shows them (a channel is
/// shown as `incident (slack)`).
public struct NotifyChannel: Sendable, Hashable {
    /// What kind of receiver it is.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A Slack incoming webhook: `text` plus blocks.
        case slack
        /// A Microsoft Teams Workflows webhook: a message with an Adaptive Card.
        case teams
        /// Any HTTP receiver: a JSON body signed with HMAC-SHA256 (`X-Runbook-Signature`).
        case webhook
        /// An email through SMTP (STARTTLS when the server offers it).
        case email
        /// Appended to a file, with a header line per message.
        case file
        /// Shown in the run's output only.
        case stdout
    }

    /// SMTP settings of an `email` channel.
    public struct Email: Sendable, Hashable {
        /// The SMTP server's host name.
        public var host: String
        /// Its port (default 587, the submission port).
        public var port: Int
        /// `From:` address.
        public var from: String
        /// `To:` addresses (at least one).
        public var to: [String]
        /// Login for `AUTH PLAIN`; nil sends no `AUTH`.
        public var username: String?
        /// Password for `AUTH PLAIN`; a secret. Only ever sent over TLS.
        public var password: String?
        /// `tls: required`: refuse to send when the server does not offer STARTTLS (default: use it
        /// when offered).
        public var requireTLS: Bool

        /// SMTP settings.
        public init(host: String, port: Int = 587, from: String, to: [String], username: String? = nil, password: String? = nil,
                    requireTLS: Bool = false)
        {
            self.host = host
            self.port = port
            self.from = from
            self.to = to
            self.username = username
            self.password = password
            self.requireTLS = requireTLS
        }
    }

    /// The channel's name, as notify steps say it (`channel: incident`).
    public var name: String
    /// What kind of receiver it is.
    public var kind: Kind
    /// The webhook URL (slack, teams, webhook); a secret. Empty when its variable is unset.
    public var url: String?
    /// The HMAC key of a `webhook` channel; a secret.
    public var secret: String?
    /// The file a `file` channel appends to (absolute, or relative to the project folder).
    public var path: String?
    /// The SMTP settings of an `email` channel.
    public var email: Email?
    /// How long one try may take (`timeout:`, default 10s); the step's own timeout bounds all tries.
    public var timeout: Duration?

    /// A channel from its parts.
    public init(name: String, kind: Kind, url: String? = nil, secret: String? = nil, path: String? = nil, email: Email? = nil,
                timeout: Duration? = nil)
    {
        self.name = name
        self.kind = kind
        self.url = url
        self.secret = secret
        self.path = path
        self.email = email
        self.timeout = timeout
    }

    /// `incident (slack)`: how the channel is shown everywhere (never its URL).
    public var display: String { "\(name) (\(kind.rawValue))" }

    /// The strings of this channel that are secrets: URL, webhook secret, SMTP password.
    public var secrets: [String] {
        [url, secret, email?.password].compactMap { $0 }.filter { !$0.isEmpty }
    }

    /// The names every environment has: `log` and `stdout`.
    public static let builtInNames = ["log", "stdout"]

    /// Whether `name` is a well-formed channel name: a lower-case letter, then lower-case
    /// letters, digits, `-` or `_`.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }
}
