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
        return fast ?? characters(CharacterText(Array(source)))
    }

    /// Whether `bytes` is ASCII without `\r`, so that each byte is one character.
    static func accepts(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.allSatisfy { $0 < 0x80 && $0 != UInt8(ascii: "\r") }
    }

    var count: Int { bytes.count }
    func ascii(at i: Int) -> UInt8? { bytes[i] }
    /// Space and tab to carriage return: the ASCII characters with Unicode's White_Space property.
    func isWhitespace(at i: Int) -> Bool { bytes[i] == UInt8(ascii: " ") || (0x09...0x0D).contains(bytes[i]) }
    func isNumber(at i: Int) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) }
    func isLetter(at i: Int) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[i] | 0x20) }
    func string(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
}

/// Any text, as its `Character`s (grapheme clusters).
struct CharacterText: LexerText {
    let characters: [Character]

    init(_ characters: [Character]) { self.characters = characters }

    var count: Int { characters.count }
    func ascii(at i: Int) -> UInt8? {
        // `"\r\n".asciiValue` is the line feed; here it is no single byte.
        characters[i] == "\r\n" ? nil : characters[i].asciiValue
    }
    func isWhitespace(at i: Int) -> Bool { characters[i].isWhitespace }
    func isNumber(at i: Int) -> Bool { characters[i].isNumber }
    func isLetter(at i: Int) -> Bool { characters[i].isLetter }
    func string(_ range: Range<Int>) -> String { String(characters[range]) }
}
