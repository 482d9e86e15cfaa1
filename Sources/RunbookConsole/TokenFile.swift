import Crypto
import Foundation

/// The console's per-user bearer tokens (`runbook serve --tokens FILE`), stored hashed: one
/// line per token, `USER sha256:HEX` (the SHA-256 of the token), `#` comments and blank lines
/// allowed. A token is 32 random bytes (`rbk_` and 64 hex digits), so one SHA-256 is enough:
/// nothing short enough to guess is ever hashed. `runbook serve token USER --file FILE`
/// makes one, appends its hash and prints the token once.
public struct TokenFile: Sendable {
    /// A problem in the file, as `path:line: error: ...`.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Users by the hex SHA-256 of their token.
    let users: [String: String]

    /// The file's tokens; throws for a line that is not `USER sha256:HEX`.
    public init(path: String) throws(Problem) {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw Problem(description: "\(path): error: cannot read the tokens file: \(error.localizedDescription)")
        }
        try self.init(text: text, path: path)
    }

    /// Tokens from the file's `text`.
    public init(text: String, path: String) throws(Problem) {
        var users: [String: String] = [:]
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count == 2, parts[1].hasPrefix("sha256:") else {
                throw Problem(description: "\(path):\(n + 1): error: expected 'USER sha256:HEX' (make one with runbook serve token USER --file \(path))")
            }
            let hex = parts[1].dropFirst("sha256:".count).lowercased()
            guard hex.count == 64, hex.allSatisfy(\.isHexDigit) else {
                throw Problem(description: "\(path):\(n + 1): error: the hash must be 64 hex digits after sha256:")
            }
            users[hex] = String(parts[0])
        }
        self.users = users
    }

    /// The user whose token this is; nil for an unknown token.
    public func user(for token: String) -> String? {
        users[Self.hash(token)]
    }

    /// The hex SHA-256 of `token`.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A new random token.
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return "rbk_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// The line to append for `user` and `token`.
    public static func line(user: String, token: String) -> String { "\(user) sha256:\(hash(token))\n" }
}
