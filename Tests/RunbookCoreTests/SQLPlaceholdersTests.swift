import Testing
@testable import RunbookCore

/// The byte scanner used for ASCII SQL finds exactly what the character scanner finds.
@Suite("SQL placeholders: ASCII fast path")
struct SQLPlaceholdersTests {
    static let cases = [
        "SELECT ':no', x::int, :yes -- :nope\n FROM t WHERE a = :yes AND b = :other /* :c */",
        "SELECT $$ :in_dollars $$, $tag$ :also $tag$, :after FROM t",
        "SELECT \"col:umn\", :a1, a:b, 1:x, :_under, ::text, :",
        "SELECT make_interval(hours => :window_hours) /* unterminated :z",
        "SELECT 'unterminated :q",
        "",
    ]

    @Test(arguments: cases)
    func sameAsTheCharacterScanner(sql: String) {
        // A non-ASCII comment sends the same SQL through the character scanner.
        let slow = sql + "\n-- é"
        #expect(SQLPlaceholders.names(in: sql) == SQLPlaceholders.names(in: slow))
        #expect(SQLPlaceholders.numbered(sql).names == SQLPlaceholders.numbered(slow).names)
        #expect(SQLPlaceholders.numbered(sql).sql + "\n-- é" == SQLPlaceholders.numbered(slow).sql)
    }

    @Test func findsWhatTheRunbooksUse() {
        #expect(SQLPlaceholders.names(in: "SELECT :a, $1, :b::int FROM t WHERE c = :a") == ["a", "b"])
        #expect(SQLPlaceholders.numbered("SELECT :a, :b, :a").sql == "SELECT $1, $2, $1")
    }
}
