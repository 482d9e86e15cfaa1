public import Foundation

extension Environment {
    /// Whether the file has an `identity:` section: then a live run needs an operator key
    /// that one of its allowed signers holds.
    public var hasIdentity: Bool {
        guard let identity = values["identity"] else { return false }
        return identity != .null
    }

    /// `identity.allowed_signers` as written (variables expanded); nil when missing or empty.
    public var allowedSignersPath: String? {
        values["identity"]?["allowed_signers"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The allowed_signers file: `identity.allowed_signers`, relative to the project `home`
    /// (the folder holding `environments/`) unless absolute. Nil without one.
    public func allowedSignersURL(home: URL) -> URL? {
        guard let path = allowedSignersPath else { return nil }
        return path.hasPrefix("/") ? URL(fileURLWithPath: path) : home.appendingPathComponent(path).standardizedFileURL
    }

    /// The environment's allowed signers, parsed; nil when it has no `identity`. Throws the
    /// diagnostics of a file that does not parse, is missing, or is not named at all.
    public func allowedSigners(home: URL) throws(DiagnosticsError) -> AllowedSigners? {
        guard hasIdentity else { return nil }
        guard let url = allowedSignersURL(home: home), let shown = allowedSignersPath else {
            throw DiagnosticsError([Diagnostic(SourceLocation(path: path ?? "environments/\(name).yaml", line: 1, column: 1),
                                               "identity needs allowed_signers: the OpenSSH allowed_signers file of the operators (identity: {allowed_signers: PATH})")])
        }
        return try AllowedSigners.load(url, path: shown)
    }
}
