import Crypto
public import Foundation

/// Lower-case hexadecimal, for digests: one fast encoder instead of `String(format:)` per byte
/// in every place that prints a SHA-256.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// `bytes` as lower-case hex, two characters a byte.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The SHA-256 of `bytes`, in hex.
    public static func sha256(_ bytes: some DataProtocol) -> String { encode(SHA256.hash(data: bytes)) }
}

extension SHA256Digest {
    /// The digest in lower-case hex.
    var hex: String { Hex.encode(self) }
}
