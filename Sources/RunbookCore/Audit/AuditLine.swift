/// The chain fields of one line of the audit log, read in one pass over its bytes without
/// building values: what the verifier needs for a million lines in a few seconds. The whole
/// line is checked to be one JSON object (a torn, partial record is not), and the top-level
/// `seq`, `prev`, `event` and `ts` are picked out (a nested key of the same name is not
/// taken for them).
struct AuditLine {
    /// `seq`, when it is an integer.
    var seq: Int?
    /// Byte ranges of the string values (as written, between the quotes).
    var prev: Range<Int>?
    var ts: Range<Int>?
    var runID: Range<Int>?
    /// `event` is `run.started` (the verifier counts runs by it).
    var startsRun = false

    /// Whether the line is a record of the chain: a JSON object with `seq` and `prev`.
    var isRecord: Bool { seq != nil && prev != nil }

    /// Nil when `bytes` is not exactly one JSON object (surrounding spaces allowed).
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> AuditLine? {
        var scanner = Scanner(bytes: bytes)
        scanner.skipSpace()
        guard scanner.peek == UInt8(ascii: "{"), scanner.object(top: true) else { return nil }
        scanner.skipSpace()
        return scanner.index == bytes.count ? scanner.line : nil
    }

    /// A JSON validator over bytes, strict enough that a cut-off record never passes.
    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        var depth = 0
        /// The top-level fields found so far.
        var line = AuditLine()

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        /// An object; the chain fields of the top-level one are recorded in `line`.
        mutating func object(top: Bool) -> Bool {
            depth += 1
            defer { depth -= 1 }
            guard depth < 512 else { return false }
            index += 1  // {
            skipSpace()
            if peek == UInt8(ascii: "}") {
                index += 1
                return true
            }
            while true {
                skipSpace()
                guard peek == UInt8(ascii: "\""), let key = string() else { return false }
                skipSpace()
                guard peek == UInt8(ascii: ":") else { return false }
                index += 1
                skipSpace()
                let start = index
                guard value() else { return false }
                if top { record(key: key, valueStart: start) }
                skipSpace()
                switch peek {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    return true
                default: return false
                }
            }
        }

        private mutating func record(key: Range<Int>, valueStart: Int) {
            let stringValue: Range<Int>? = bytes[valueStart] == UInt8(ascii: "\"") ? (valueStart + 1)..<(index - 1) : nil
            switch key.count {
            case 2 where equals(key, "ts"): line.ts = stringValue
            case 3 where equals(key, "seq"): line.seq = integer(valueStart..<index)
            case 4 where equals(key, "prev"): line.prev = stringValue
            case 5 where equals(key, "event"): line.startsRun = stringValue.map { equals($0, "run.started") } ?? false
            case 6 where equals(key, "run_id"): line.runID = stringValue
            default: break
            }
        }

        private func equals(_ range: Range<Int>, _ word: StaticString) -> Bool {
            guard range.count == word.utf8CodeUnitCount else { return false }
            let w = word.utf8Start
            for (i, j) in range.enumerated() where bytes[j] != w[i] { return false }
            return true
        }

        private func integer(_ range: Range<Int>) -> Int? {
            guard !range.isEmpty, range.count < 19 else { return nil }
            var n = 0
            for i in range {
                let b = bytes[i]
                guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
                n = n * 10 + Int(b - UInt8(ascii: "0"))
            }
            return n
        }

        mutating func value() -> Bool {
            guard let b = peek else { return false }
            switch b {
            case UInt8(ascii: "{"): return object(top: false)
            case UInt8(ascii: "["): return array()
            case UInt8(ascii: "\""): return string() != nil
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default: return number()
            }
        }

        mutating func array() -> Bool {
            depth += 1
            defer { depth -= 1 }
            guard depth < 512 else { return false }
            index += 1  // [
            skipSpace()
            if peek == UInt8(ascii: "]") {
                index += 1
                return true
            }
            while true {
                skipSpace()
                guard value() else { return false }
                skipSpace()
                switch peek {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"):
                    index += 1
                    return true
                default: return false
                }
            }
        }

        /// A string; returns the range of its content (between the quotes).
        mutating func string() -> Range<Int>? {
            index += 1  // "
            let start = index
            while index < bytes.count {
                skipPlainBytes()
                guard index < bytes.count else { return nil }
                let b = bytes[index]
                if b == UInt8(ascii: "\"") {
                    index += 1
                    return start..<(index - 1)
                }
                if b < 0x20 { return nil }
                if b == UInt8(ascii: "\\") {
                    index += 1
                    guard let e = peek else { return nil }
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                        UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        index += 1
                    case UInt8(ascii: "u"):
                        guard index + 4 < bytes.count else { return nil }
                        for k in 1...4 where !isHex(bytes[index + k]) { return nil }
                        index += 5
                    default:
                        return nil
                    }
                    continue
                }
                index += 1
            }
            return nil
        }

        /// Skips, eight at a time, bytes that need no attention inside a string: anything but
        /// `"`, `\` and control characters (most of a record's bytes).
        private mutating func skipPlainBytes() {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            let base = UnsafeRawPointer(bytes.baseAddress!)
            while index + 8 <= bytes.count {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                let quote = word ^ (ones &* 0x22)
                let backslash = word ^ (ones &* 0x5C)
                // A byte is flagged when it is zero (after the xor) or below 0x20; the lowest flag is exact.
                let flags = ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash | (word &- ones &* 0x20) & ~word) & highs
                if flags != 0 {
                    index += flags.trailingZeroBitCount / 8
                    return
                }
                index += 8
            }
        }

        private func isHex(_ b: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(b)
                || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(b)
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let n = word.utf8CodeUnitCount
            guard index + n <= bytes.count else { return false }
            let w = word.utf8Start
            for i in 0..<n where bytes[index + i] != w[i] { return false }
            index += n
            return true
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
        mutating func number() -> Bool {
            if peek == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return false }
            if peek == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { return false }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                index += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { return false }
            }
            return true
        }

        private mutating func digits() -> Int {
            let start = index
            while let b = peek, b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") { index += 1 }
            return index - start
        }
    }
}
