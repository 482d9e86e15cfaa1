/// The text the expression lexer and the template parser scan, indexed by character, so that
/// the offsets they report are character offsets whichever form the text takes.
///
/// Two forms: ``ASCIIText``, the UTF-8 bytes of a text made only of ASCII characters other
/// than the carriage return (each byte is then one `Character`: only `"\r\n"` joins two ASCII
/// bytes into one), and ``CharacterText`` for anything else (accents, emoji, CRLF), where
/// grapheme breaking decides what a character is. Nearly every expression is ASCII, and
/// classifying bytes is several times faster than breaking graphemes (which was the largest
/// share of linting a folder of runbooks).
protocol LexerText {
    /// Characters in the text.
    var count: Int { get }
    /// The character at `i` when it is a single ASCII byte; nil for any other character.
    func ascii(at i: Int) -> UInt8?
    /// `Character.isWhitespace` of the character at `i`.
    func isWhitespace(at i: Int) -> Bool
    /// `Character.isNumber` of the character at `i`.
    func isNumber(at i: Int) -> Bool
    /// `Character.isLetter` of the character at `i`.
    func isLetter(at i: Int) -> Bool
    /// The characters in `range`, as a string.
    func string(_ range: Range<Int>) -> String
}

extension LexerText {
    /// Whether the character at `i` is the ASCII character `c`.
    func `is`(_ c: Unicode.Scalar, at i: Int) -> Bool { ascii(at: i) == UInt8(ascii: c) }
}

/// Text of ASCII characters without a carriage return, as its bytes: byte offsets are
/// character offsets. Valid only inside the `withUTF8` call that lent the bytes.
struct ASCIIText: LexerText {
    let bytes: UnsafeBufferPointer<UInt8>

    /// Scans `source` with `ascii` when it is ASCII text, else with `characters`.
    static func scan<R>(_ source: String, ascii: (ASCIIText) -> R, characters: (CharacterText) -> R) -> R {
        var source = source
        let fast = source.withUTF8 { bytes -> R? in accepts(bytes) ? ascii(ASCIIText(bytes: bytes)) : nil }
        return fast ?? characters(CharacterText(source))
    }

    /// Whether `bytes` is ASCII without `\r`, so that each byte is one character.
    static func accepts(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.allSatisfy { $0 < 0x80 && $0 != UInt8(ascii: "\r") }
    }

    var count: Int { bytes.count }
    func ascii(at i: Int) -> UInt8? { bytes[i] }
    func isWhitespace(at i: Int) -> Bool { Self.isWhitespace(bytes[i]) }
    func isNumber(at i: Int) -> Bool { Self.isNumber(bytes[i]) }
    func isLetter(at i: Int) -> Bool { Self.isLetter(bytes[i]) }
    func string(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }

    /// Space and tab to carriage return: the ASCII characters with Unicode's White_Space property.
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || (0x09...0x0D).contains(byte) }
    /// The ASCII characters with a numeric type: the digits.
    static func isNumber(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    /// The ASCII letters.
    static func isLetter(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) }
}

/// Any text, as its `Character`s (grapheme clusters, found once). A character of one byte is
/// classified as ``ASCIIText`` classifies it, without making a `Character`.
struct CharacterText: LexerText {
    let source: String
    /// Where each character starts, then the end of the text.
    private let bounds: [String.Index]

    init(_ source: String) {
        var bounds: [String.Index] = []
        bounds.reserveCapacity(source.utf8.count + 1)
        var i = source.startIndex
        while i < source.endIndex {
            bounds.append(i)
            i = source.index(after: i)
        }
        bounds.append(source.endIndex)
        self.source = source
        self.bounds = bounds
    }

    var count: Int { bounds.count - 1 }

    /// A character of one byte is ASCII (`"\r\n"` is two bytes: no single byte).
    func ascii(at i: Int) -> UInt8? {
        let utf8 = source.utf8
        return utf8.index(after: bounds[i]) == bounds[i + 1] ? utf8[bounds[i]] : nil
    }

    func isWhitespace(at i: Int) -> Bool { ascii(at: i).map(ASCIIText.isWhitespace) ?? source[bounds[i]].isWhitespace }
    func isNumber(at i: Int) -> Bool { ascii(at: i).map(ASCIIText.isNumber) ?? source[bounds[i]].isNumber }
    func isLetter(at i: Int) -> Bool { ascii(at: i).map(ASCIIText.isLetter) ?? source[bounds[i]].isLetter }
    func string(_ range: Range<Int>) -> String { String(source[bounds[range.lowerBound]..<bounds[range.upperBound]]) }
}
