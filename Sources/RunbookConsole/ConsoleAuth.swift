import Foundation
public import Hummingbird
import HTTPTypes

/// Who is asking, for every request but `/login` and the stylesheet:
///
/// * `X-Forwarded-User` (as oauth2-proxy sends it), only from an address given with
///   `--trust-proxy`; from any other address the header is ignored;
/// * else `Authorization: Bearer TOKEN`, a token of `--tokens FILE`;
/// * else the `runbook_token` cookie that `/login` sets from such a token.
///
/// No known user: 401 (a sign-in page for a browser). Also checks every form: a `POST` must
/// carry this browser's cross-site request token (the `runbook_csrf` cookie, repeated in the
/// form or in `X-CSRF-Token`) and must not come from another site (`Origin`, `Sec-Fetch-Site`);
/// a request authenticated by its own `Authorization` header is exempt (no browser sends it by
/// itself).
public struct ConsoleAuth: RouterMiddleware {
    public typealias Context = ConsoleContext

    let trustedProxies: Set<String>
    let tokens: TokenFile?
    let views: ConsoleViews

    init(trustedProxies: [String], tokens: TokenFile?, views: ConsoleViews) {
        self.trustedProxies = Set(trustedProxies.map(Self.normalize))
        self.tokens = tokens
        self.views = views
    }

    static let forwardedUser = HTTPField.Name("X-Forwarded-User")!
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!

    static func normalize(_ address: String) -> String {
        address.hasPrefix("::ffff:") ? String(address.dropFirst(7)) : address
    }

    public func handle(_ request: Request, context: ConsoleContext, next: (Request, ConsoleContext) async throws -> Response) async throws -> Response {
        var context = context
        let cookies = request.cookies
        let existing = cookies["runbook_csrf"]?.value
        let csrfIsNew = existing.map { $0.count != 64 || !$0.allSatisfy(\.isHexDigit) } ?? true
        context.csrf = csrfIsNew ? Self.randomHex() : existing!
        let open = request.uri.path == "/login" || request.uri.path == "/style.css"
        var bearer = false
        if let peer = context.remoteAddress?.ipAddress.map(Self.normalize), trustedProxies.contains(peer),
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
        } else if let token = cookies["runbook_token"]?.value, let user = tokens?.user(for: token) {
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
        response.headers.append(HTTPField(name: .setCookie, value: "runbook_csrf=\(context.csrf); Path=/; HttpOnly; SameSite=Strict"))
        return response
    }

    static func randomHex() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
