/// Lower-case hexadecimal, without a formatter per byte (digests of every runbook read and of
/// every audit record verified).
enum Hex {
    static let digits = Array("0123456789abcdef".utf8)

    /// `bytes` as lower-case hex.
    static func string(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
