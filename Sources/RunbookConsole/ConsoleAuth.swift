import Foundation
public import Hummingbird
import HTTPTypes

/// Who is asking, for every request but `/login` and the stylesheet:
///
/// * `X-Forwarded-User` (as oauth2-proxy sends it), only with the proxy's shared secret in
///   `X-Proxy-Secret` (compared in constant time; `--proxy-secret-file`) and, when
///   `--trust-proxy` names addresses, only from one of them; otherwise the header is ignored,
///   so a local process that can reach the port is not a user;
/// * else `Authorization: Bearer TOKEN`, a token of `--tokens FILE`;
/// * else the `runbook_token` cookie that `/login` sets from such a token (`__Host-runbook_token`,
///   `Secure`, over TLS: ``ConsoleCookies``).
///
/// No known user: 401 (a sign-in page for a browser). Also checks every form: a `POST` must
/// carry this browser's cross-site request token (the `runbook_csrf` cookie, repeated in the
/// form or in `X-CSRF-Token`) and must not come from another site (`Origin`, `Sec-Fetch-Site`);
/// a request authenticated by its own `Authorization` header is exempt (no browser sends it by
/// itself).
public struct ConsoleAuth: RouterMiddleware {
    public typealias Context = ConsoleContext

    let trustedProxies: Set<String>
    /// The proxy's shared secret; nil: `X-Forwarded-User` is never honoured.
    let proxySecret: [UInt8]?
    let tokens: TokenFile?
    let views: ConsoleViews
    let cookieNames: ConsoleCookies

    init(trustedProxies: [String], proxySecret: String?, tokens: TokenFile?, views: ConsoleViews, cookies: ConsoleCookies) {
        self.cookieNames = cookies
        self.trustedProxies = Set(trustedProxies.map(Self.normalize))
        self.proxySecret = proxySecret.map { Array($0.utf8) }
        self.tokens = tokens
        self.views = views
    }

    static let forwardedUser = HTTPField.Name("X-Forwarded-User")!
    static let proxySecretHeader = HTTPField.Name("X-Proxy-Secret")!
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!

    static func normalize(_ address: String) -> String {
        address.hasPrefix("::ffff:") ? String(address.dropFirst(7)) : address
    }

    public func handle(_ request: Request, context: ConsoleContext, next: (Request, ConsoleContext) async throws -> Response) async throws -> Response {
        var context = context
        let cookies = request.cookies
        let existing = cookies[cookieNames.csrf]?.value
        let csrfIsNew = existing.map { $0.count != 64 || !$0.allSatisfy(\.isHexDigit) } ?? true
        context.csrf = csrfIsNew ? Self.randomHex() : existing!
        let open = request.uri.path == "/login" || request.uri.path == "/style.css"
        var bearer = false
        if isFromProxy(request, context: context),
           let user = request.headers[Self.forwardedUser]?.trimmingCharacters(in: .whitespaces), !user.isEmpty
        {
            context.user = user
            context.authenticatedBy = "proxy"
        } else if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
            if let user = tokens?.user(for: token) {
                context.user = user
                context.authenticatedBy = "token"
                bearer = true
            }
        } else if let token = cookies[cookieNames.token]?.value, let user = tokens?.user(for: token) {
            context.user = user
            context.authenticatedBy = "cookie"
        }
        if context.user == nil && !open {
            return withCSRFCookie(views.unauthorized(request, csrf: context.csrf), context: context, isNew: csrfIsNew)
        }
        var request = request
        if request.method == .post {
            let body = try await request.collectBody(upTo: 64 * 1024)
            context.form = FormFields.parse(String(buffer: body))
        }
        if request.method == .post && !bearer {
            if let refusal = crossSiteRefusal(request, context: context, cookie: csrfIsNew ? nil : existing) {
                return withCSRFCookie(views.error(.forbidden, refusal, request: request, context: context), context: context, isNew: csrfIsNew)
            }
        }
        let response = try await next(request, context)
        return withCSRFCookie(response, context: context, isNew: csrfIsNew)
    }

    /// Whether the request comes from the sign-on proxy: it carries the proxy's secret, and
    /// its peer is a `--trust-proxy` address when any is given.
    func isFromProxy(_ request: Request, context: ConsoleContext) -> Bool {
        guard let proxySecret, let sent = request.headers[Self.proxySecretHeader] else { return false }
        if !trustedProxies.isEmpty {
            guard let peer = context.remoteAddress?.ipAddress.map(Self.normalize), trustedProxies.contains(peer) else { return false }
        }
        return Self.constantTimeEqual(Array(sent.utf8), proxySecret)
    }

    /// Whether `a` equals `b`, in a time that depends on their lengths only.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    /// Why a form post is refused as cross-site; nil when it is this browser's own.
    func crossSiteRefusal(_ request: Request, context: ConsoleContext, cookie: String?) -> String? {
        if let site = request.headers[Self.secFetchSite], !["same-origin", "none"].contains(site) {
            return "cross-site request refused (Sec-Fetch-Site: \(site))"
        }
        if let origin = request.headers[.origin], origin != "null" {
            let host = request.head.authority ?? ""
            if URL(string: origin)?.host.map({ h in host == h || host.hasPrefix(h + ":") }) != true || !origin.hasSuffix(host) {
                return "cross-site request refused (Origin \(origin) is not this console)"
            }
        }
        guard let cookie else { return "cross-site request refused: no request token (load the page again)" }
        let sent = request.headers[Self.csrfHeader] ?? context.form["csrf"]
        guard let sent, sent == cookie else { return "cross-site request refused: the form's request token does not match (load the page again)" }
        return nil
    }

    func withCSRFCookie(_ response: Response, context: ConsoleContext, isNew: Bool) -> Response {
        guard isNew else { return response }
        var response = response
        response.headers.append(HTTPField(name: .setCookie, value: cookieNames.set(cookieNames.csrf, context.csrf)))
        return response
    }

    static func randomHex() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
