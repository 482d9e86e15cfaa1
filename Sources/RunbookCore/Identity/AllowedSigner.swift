/// One line of an OpenSSH `allowed_signers` file: who may sign (principal patterns), with
/// which public key, and under which restrictions. See `ssh-keygen(1)`, "ALLOWED SIGNERS".
///
/// Only what is needed to validate the file and to name its principals is kept; signatures
/// are checked by `ssh-keygen -Y verify`, never by this type.
public struct AllowedSigner: Sendable, Hashable {
    /// The principal patterns of the line (`alice@example.com`, `*@example.com`), in order.
    public var principals: [String]
    /// `namespaces="..."`: the namespace patterns the key may sign for; nil when unrestricted.
    public var namespaces: [String]?
    /// `valid-after="..."`, as written (`YYYYMMDD[HHMM[SS]][Z]`); nil when absent.
    public var validAfter: String?
    /// `valid-before="..."`, as written; nil when absent.
    public var validBefore: String?
    /// `cert-authority`: the key is a CA whose certificates are trusted for these principals.
    public var certificateAuthority: Bool
    /// The key type, such as `ssh-ed25519`.
    public var keyType: String
    /// The public key, base64 as written in the file.
    public var key: String
    /// Where the line is.
    public var location: SourceLocation

    /// A signer line.
    public init(principals: [String], namespaces: [String]? = nil, validAfter: String? = nil, validBefore: String? = nil,
                certificateAuthority: Bool = false, keyType: String, key: String, location: SourceLocation)
    {
        self.principals = principals
        self.namespaces = namespaces
        self.validAfter = validAfter
        self.validBefore = validBefore
        self.certificateAuthority = certificateAuthority
        self.keyType = keyType
        self.key = key
        self.location = location
    }

    /// Whether a principal is a pattern (`*`, `?` or a `!` negation) rather than one name.
    public static func isPattern(_ principal: String) -> Bool {
        principal.contains { $0 == "*" || $0 == "?" || $0 == "!" }
    }
}
