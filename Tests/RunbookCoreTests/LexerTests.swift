import Testing
@testable import RunbookCore

/// The lexer scans ASCII expressions as bytes and anything else as characters; both must give
/// the same tokens and the same character offsets.
@Suite("Expression lexer: bytes and characters")
struct LexerTests {
    /// The tokens of an ASCII `source` scanned as bytes, and scanned as characters.
    func bothForms(_ source: String) -> (bytes: Result<[Token], ExpressionError>, characters: Result<[Token], ExpressionError>) {
        var copy = source
        let bytes = copy.withUTF8 { bytes in
            #expect(ASCIIText.accepts(bytes), "'\(source)' is not scanned as bytes")
            return Lexer.tokens(of: ASCIIText(bytes: bytes))
        }
        return (bytes, Lexer.tokens(of: CharacterText(source)))
    }

    func errorOffset(_ source: String) -> Int? {
        do {
            _ = try Expression(source)
            return nil
        } catch {
            return error.offset
        }
    }

    @Test func everyASCIIByteIsClassifiedAsItsCharacter() {
        for byte in UInt8(0)..<0x80 where byte != UInt8(ascii: "\r") {
            let character = Character(Unicode.Scalar(byte))
            var text = String(character)
            text.withUTF8 { bytes in
                let ascii = ASCIIText(bytes: bytes)
                let characters = CharacterText(String(character))
                #expect(ascii.isWhitespace(at: 0) == character.isWhitespace, "byte \(byte)")
                #expect(ascii.isNumber(at: 0) == character.isNumber, "byte \(byte)")
                #expect(ascii.isLetter(at: 0) == character.isLetter, "byte \(byte)")
                #expect(ascii.ascii(at: 0) == characters.ascii(at: 0), "byte \(byte)")
                #expect(ascii.string(0..<1) == characters.string(0..<1), "byte \(byte)")
            }
        }
    }

    @Test func characterTextClassifiesAsCharacterDoes() {
        // ASCII (the carriage return included), CRLF, accents composed and decomposed, emoji,
        // digits and spaces of other scripts.
        let text = (0..<0x80).map { String(Unicode.Scalar(UInt8($0))) }.joined()
            + "\r\nçãé e\u{301}🐄👨‍👩‍👧🇧🇷٣½\u{A0}\u{2003}ñ"
        let characters = Array(text)
        let scanned = CharacterText(text)
        #expect(scanned.count == characters.count)
        for (i, c) in characters.enumerated() {
            #expect(scanned.isWhitespace(at: i) == c.isWhitespace, "\(c.unicodeScalars.map(\.value))")
            #expect(scanned.isNumber(at: i) == c.isNumber, "\(c.unicodeScalars.map(\.value))")
            #expect(scanned.isLetter(at: i) == c.isLetter, "\(c.unicodeScalars.map(\.value))")
            #expect(scanned.ascii(at: i) == (c.unicodeScalars.count == 1 && c.isASCII ? c.asciiValue : nil), "\(c.unicodeScalars.map(\.value))")
            #expect(scanned.string(i..<i + 1) == String(c))
        }
        #expect(scanned.string(0..<characters.count) == text)
    }

    @Test func bytesAndCharactersGiveTheSameTokens() {
        let sources = [
            "steps.error-rate.status == \"red\" and result.row_count > 0",
            "contains(pluck(steps.error-types.result.rows, 'error_type'), 'resource')",
            "x - 1", "x-1", "a-", "-a", "_x_1 || !y && z", "x[0].y != null", "1_000 + 2.5 * 3 % 2 / 1",
            "'it\\'s' + \"q\\\"\" + 'tab\\tnl\\n' + '\\d+' + '\\\\'", "\t a\u{0B}<=\u{0C}b\n>= c",
            "99999999999999999999999", "12.", "1.5.2", "[1, 2, 3]", "len(x) >= 2",
            // Errors: the same message at the same offset.
            "1 +", "a = 1", "'open", "'ends with \\", "12abc", "3.5x", "x @ y", "#", "a ~ b", "`x`", "",
        ]
        for source in sources {
            let (bytes, characters) = bothForms(source)
            #expect(bytes == characters, "\(source)")
        }
    }

    @Test func accentsAndEmojiInStrings() throws {
        let scope = ExpressionScope(["inputs": .object([("nome", "Conceição"), ("gado", "🐄🐂")])])
        #expect(try Expression("inputs.nome == 'Conceição'").evaluate(in: scope) == true)
        #expect(try Expression("lower('AÇÃO') + ' é'").evaluate(in: scope) == "ação é")
        #expect(try Expression("inputs.gado == '🐄🐂' and len('🐄🐂') == 2").evaluate(in: scope) == true)
        // A decomposed accent (e + U+0301) is one character and compares equal to the composed one.
        #expect(try Expression("'cafe\u{301}' == 'café'").evaluate(in: scope) == true)
        #expect(try Expression("'não\\n' + \"😀\\\"\"").evaluate(in: scope) == "não\n😀\"")
    }

    @Test func offsetsCountCharactersNotBytes() {
        // Each pair: a non-ASCII source and an ASCII one of as many characters, same error offset.
        let pairs = [
            ("'vacas 🐄🐂' ==", "'vacas xx' =="),
            ("'cafe\u{301}' +", "'cafe' +"),
            ("'Conceição' = 1", "'Conceicao' = 1"),
            ("'ação' == 'não", "'acao' == 'nao"),
            ("'👨‍👩‍👧' < 1 < 2", "'x' < 1 < 2"),
        ]
        for (unicode, ascii) in pairs {
            #expect(errorOffset(unicode) != nil, "\(unicode)")
            #expect(errorOffset(unicode) == errorOffset(ascii), "\(unicode)")
        }
        // Outside a string, an emoji is one unexpected character.
        do {
            _ = try Expression("x 🐄 y")
            Issue.record("parsed")
        } catch {
            #expect(error.offset == 2)
            #expect(error.message == "unexpected character '🐄'")
        }
    }

    @Test func lettersWithAccentsMakeIdentifiers() throws {
        let e = try Expression("inputs.município == 'São Paulo' and steps.verificação-1.status == 'green'")
        #expect(e.references.map(\.segments) == [["inputs", "município"], ["steps", "verificação-1", "status"]])
        #expect(e.references.map(\.offset) == [0, 36])
    }

    @Test func carriageReturnLineFeedIsOneCharacter() throws {
        #expect(try Expression("1 +\r\n 2").evaluate(in: ExpressionScope([:])) == 3)
        // `'a'`, CRLF (one character), `==` at 4, the end at 6.
        #expect(errorOffset("'a'\r\n==") == 6)
        #expect(errorOffset("'a'\r\n\r\n==") == 7)
        // A carriage return alone is a character too.
        #expect(errorOffset("'a'\r==") == 6)
    }

    @Test func templatesWithAccentsAndEmoji() throws {
        let scope = ExpressionScope(["inputs": .object([("nome", "João")])])
        let t = try Template("Olá, ${{ inputs.nome }} 🐄 — ${{ len('ção') }}")
        #expect(try t.render(in: scope) == "Olá, João 🐄 — 3")
        #expect(t.expressions.map(\.1) == [9, 32])
        #expect(try Template("só texto, sem expressão 🐂").isLiteral)
        #expect(try Template("US$ 10, ${{ 1 + 1 }}").render(in: scope) == "US$ 10, 2")
        do {
            _ = try Template("Olá 🐄 ${{ 1 + }}")
            Issue.record("parsed")
        } catch {
            // `Olá 🐄 ` is 6 characters, `${{ ` 4, then `1 +` ends at 3.
            #expect(error.offset == 13)
        }
    }
}
