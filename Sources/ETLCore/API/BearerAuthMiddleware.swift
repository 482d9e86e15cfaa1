import Crypto
import Hummingbird

/// Requires `Authorization: Bearer <token>` on every route but the public ones: the acting
/// token on any route, the read-only token (``ETLConfiguration/apiReadToken``) on `GET` and
/// `HEAD` only (anything else is 403: a diagnosis cannot change the world with it).
///
/// The comparison is constant-time: both tokens are hashed with SHA-256 and the two
/// 32-byte digests compared without an early exit, so neither the length nor the content
/// of the expected token leaks through timing.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    static var publicPaths: Set<String> { ["/health", "/metrics"] }

    let expectedDigest: [UInt8]
    let readDigest: [UInt8]?

    init(token: String, readToken: String? = nil) {
        self.expectedDigest = Array(SHA256.hash(data: Array(token.utf8)))
        self.readDigest = readToken.map { Array(SHA256.hash(data: Array($0.utf8))) }
    }

    /// True when `a` and `b` are equal, in time that depends only on their lengths.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices {
            difference |= a[index] ^ b[index]
        }
        return difference == 0
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
        let digest = Array(SHA256.hash(data: Array(presented.utf8)))
        if Self.constantTimeEqual(digest, expectedDigest) { return try await next(request, context) }
        guard let readDigest, Self.constantTimeEqual(digest, readDigest) else {
            throw APIError(.unauthorized, "invalid bearer token")
        }
        guard request.method == .get || request.method == .head else {
            throw APIError(.forbidden, "read-only token: \(request.method.rawValue) refused")
        }
        return try await next(request, context)
    }
}
