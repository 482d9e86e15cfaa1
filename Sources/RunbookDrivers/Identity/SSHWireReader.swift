import Foundation

/// Reads SSH wire fields (RFC 4251: uint32, string) from a blob.
struct SSHWireReader {
    let data: Data
    var offset: Int

    init(_ data: Data) {
        self.data = Data(data)
        offset = 0
    }

    var isAtEnd: Bool { offset == data.count }

    mutating func bytes(_ count: Int) -> Data? {
        guard count >= 0, data.count - offset >= count else { return nil }
        defer { offset += count }
        return data.subdata(in: offset..<offset + count)
    }

    mutating func uint32() -> UInt32? {
        guard let b = bytes(4) else { return nil }
        return b.reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func string() -> Data? {
        guard let length = uint32(), length <= UInt32(Int32.max) else { return nil }
        return bytes(Int(length))
    }

    /// Appends `field` as an SSH string (its length, then its bytes).
    static func append(_ field: Data, to out: inout Data) {
        let n = UInt32(field.count)
        out.append(contentsOf: [UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)])
        out.append(field)
    }
}
