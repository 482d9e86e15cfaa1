public import Foundation

/// A run request to the team's runner, as its operator signs it: the run's options (runbook,
/// environment, inputs, mode, flags), a nonce and the time it was made. The signed bytes are
/// ``canonical`` (JSON, keys sorted, no spaces), signed with `ssh-keygen -Y sign -n
/// runbook-request`; the runner verifies them against its own allowed_signers and decodes
/// exactly those bytes, so what was signed is what runs.
public struct RunnerRequest: Sendable, Codable, Equatable {
    /// The SSH signature namespace of run requests: a signature made for anything else (a
    /// checkpoint, an approval, a git commit) is not a run request.
    public static let namespace = "runbook-request"
    /// How old (or how far in the future, by the runner's clock) a request may be.
    public static let maxAge = 120

    /// What to run and how.
    public var run: RunOptions
    /// Unique per request (32 hex digits): the ledger executes a nonce once.
    public var nonce: String
    /// When it was made, in seconds since 1970.
    public var time: Int
    /// Whether the operator asked for a JUnit report (`--junit FILE`): the runner sends it back,
    /// the client writes the file.
    public var junit = false
    /// The format of this request.
    public var version = 1

    public init(run: RunOptions, nonce: String = RunnerRequest.newNonce(), time: Int = Int(Date().timeIntervalSince1970)) {
        self.run = run
        self.nonce = nonce
        self.time = time
    }

    /// A fresh nonce: 128 random bits in hex.
    public static func newNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%08x", UInt32.random(in: .min ... .max, using: &generator)) }.joined()
    }

    /// The bytes signed: JSON with sorted keys and no whitespace.
    public var canonical: String { Self.canonicalJSON(self) }

    /// `value` as the signed bytes of a request: JSON with sorted keys and no whitespace.
    static func canonicalJSON(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these types cannot fail (strings, numbers, booleans, arrays).
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }

    /// Whether `text` has the shape of a nonce: 32 hex digits.
    static func isNonce(_ text: String) -> Bool { text.count == 32 && text.allSatisfy(\.isHexDigit) }

    /// Decodes the signed bytes; nil when they are not a request of this version, or a nonce
    /// of another shape.
    public static func decode(_ text: String) -> RunnerRequest? {
        guard let request = try? JSONDecoder().decode(RunnerRequest.self, from: Data(text.utf8)), request.version == 1, isNonce(request.nonce)
        else { return nil }
        return request
    }

    /// What is sent: the signed text and its signature.
    public struct Envelope: Sendable, Codable {
        public var request: String
        public var signature: String

        public init(request: String, signature: String) {
            self.request = request
            self.signature = signature
        }
    }
}
