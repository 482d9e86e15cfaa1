/// A step could not run: the database or API could not be reached, the environment is
/// missing a setting, the server refused us. A failed check or a non-zero exit is a result,
/// not a `DriverError`. The ``Code`` decides what the run makes of it: only ``Code/unreachable``
/// and ``Code/timedOut`` turn into a check's `unreachable:` colour, and
/// ``Code/configuration`` makes the run exit 2 naming the file and key.
public struct DriverError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is. Extensible: new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Sendable { case unreachable, timedOut, configuration, authentication, tls, refused, failed }
        let base: Base

        /// Connection refused, host not found or down, connection lost: the target is not there.
        public static let unreachable = Code(base: .unreachable)
        /// No answer in time (connect or request timeout inside the driver).
        public static let timedOut = Code(base: .timedOut)
        /// The environment or the step is missing or has a wrong setting (no `database.url`,
        /// an unknown `sslmode`, an empty token): a usage error, exit 2.
        public static let configuration = Code(base: .configuration)
        /// Wrong password, rejected token: reached, but not let in.
        public static let authentication = Code(base: .authentication)
        /// TLS could not be set up or the peer's certificate was refused.
        public static let tls = Code(base: .tls)
        /// Reached and let in, but the server refused the request (a read-only violation, a
        /// method a check may not use).
        public static let refused = Code(base: .refused)
        /// Anything else.
        public static let failed = Code(base: .failed)

        /// The code's name (`unreachable`, `timedOut`, `configuration`...), for messages and tests.
        public var description: String { base.rawValue }

        /// Whether a check's `unreachable:` colour applies: the target could not be reached.
        public var meansUnreachable: Bool { self == .unreachable || self == .timedOut }
    }

    /// What kind of failure: decides the step's status and the run's exit code (see above).
    public var code: Code
    /// What happened, in words an on-call engineer can act on; never holds a secret.
    public var message: String

    /// A failure of kind `code`. The executor redacts known secrets from `message` before it is
    /// shown or audited, but a driver should not put one there.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A failure of no particular kind.
    public init(_ message: String) { self.init(.failed, message) }

    /// The message alone (the code is ``code``).
    public var description: String { message }
}
