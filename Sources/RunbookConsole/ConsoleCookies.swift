/// The console's two cookies, the sign-in token and the cross-site request token, named and
/// set one way. Served over TLS they are `Secure` and named with the `__Host-` prefix, which a
/// browser accepts only from a secure origin, for the whole host (`Path=/`, no `Domain`): a
/// plain-HTTP page or a sibling subdomain cannot set or overwrite them.
struct ConsoleCookies: Sendable {
    /// Whether the console is served over TLS.
    let secure: Bool

    var token: String { secure ? "__Host-runbook_token" : "runbook_token" }
    var csrf: String { secure ? "__Host-runbook_csrf" : "runbook_csrf" }

    /// A `Set-Cookie` value: HttpOnly, SameSite=Strict, for the whole host; `Secure` over TLS;
    /// `maxAge` 0 deletes it.
    func set(_ name: String, _ value: String, maxAge: Int? = nil) -> String {
        var text = "\(name)=\(value); Path=/; HttpOnly; SameSite=Strict"
        if secure { text += "; Secure" }
        if let maxAge { text += "; Max-Age=\(maxAge)" }
        return text
    }
}
