import Crypto
import Hummingbird

/// Who is calling, for `audit.log`: the `X-Operator` header when present (the runbook CLI
/// sends its operator), else a fingerprint of the token (never the token itself).
enum RequestActor {
    static func name(of request: Request) -> String {
        if let name = request.headers.first(where: { $0.name.canonicalName == "x-operator" })?.value {
            let cleaned = String(name.filter { $0.isLetter || $0.isNumber || "._@-".contains($0) }.prefix(64))
            if !cleaned.isEmpty { return cleaned }
        }
        guard let authorization = request.headers[.authorization] else { return "anonymous" }
        let digest = SHA256.hash(data: Array(authorization.utf8))
        return "token:" + digest.prefix(4).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}
