import Crypto
import Hummingbird

/// Requires `Authorization: Bearer <token>` on every route but the public ones.
///
/// The comparison is constant-time: both tokens are hashed with SHA-256 and the digests
/// compared with swift-crypto's constant-time equality, so neither the length nor the
/// content of the expected token leaks through timing.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    static var publicPaths: Set<String> { ["/health", "/metrics"] }

    let expectedDigest: SHA256.Digest

    init(token: String) {
        self.expectedDigest = SHA256.hash(data: Array(token.utf8))
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.publicPaths.contains(request.uri.path) {
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "missing bearer token")
        }
        let prefix = "bearer "
        guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix else {
            throw APIError(.unauthorized, "authorization must be a bearer token")
        }
        let presented = header.dropFirst(prefix.count)
        guard SHA256.hash(data: Array(presented.utf8)) == expectedDigest else {
            throw APIError(.unauthorized, "invalid bearer token")
        }
        return try await next(request, context)
    }
}
