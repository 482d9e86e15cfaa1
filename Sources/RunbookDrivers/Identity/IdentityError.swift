/// An operator could not be named by their key, a signature could not be made, or one does
/// not verify. The ``Code`` says which; ``message`` says it in words an operator can act on
/// and never holds key material or a passphrase.
public struct IdentityError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is. Extensible: new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Sendable {
            case noKey, keyUnreadable, passphraseRequired, signingFailed, notAllowed, signatureInvalid
            case allowedSignersInvalid, keygenUnavailable, timedOut, failed
        }
        let base: Base

        /// The environment requires a key and none was given (`--key`, `RUNBOOK_SIGNING_KEY`).
        public static let noKey = Code(base: .noKey)
        /// The key file is missing or is not an SSH key.
        public static let keyUnreadable = Code(base: .keyUnreadable)
        /// The private key is protected by a passphrase and ssh-agent does not hold it:
        /// `runbook` never asks for a passphrase.
        public static let passphraseRequired = Code(base: .passphraseRequired)
        /// `ssh-keygen -Y sign` failed for another reason (the agent refused, ...).
        public static let signingFailed = Code(base: .signingFailed)
        /// The key signs, but no principal of the allowed_signers file holds it.
        public static let notAllowed = Code(base: .notAllowed)
        /// A signature does not verify for the principal, namespace and allowed signers given.
        public static let signatureInvalid = Code(base: .signatureInvalid)
        /// The allowed_signers file is missing or does not parse.
        public static let allowedSignersInvalid = Code(base: .allowedSignersInvalid)
        /// `ssh-keygen` is not installed or could not be started.
        public static let keygenUnavailable = Code(base: .keygenUnavailable)
        /// `ssh-keygen` did not finish in time (a hardware key waiting for a touch).
        public static let timedOut = Code(base: .timedOut)
        /// Anything else.
        public static let failed = Code(base: .failed)

        /// The code's name (`noKey`, `notAllowed`...), for messages and tests.
        public var description: String { base.rawValue }
    }

    /// What kind of failure.
    public var code: Code
    /// What happened and what to do about it.
    public var message: String

    /// A failure of kind `code`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message alone (the code is ``code``).
    public var description: String { message }
}
