import Testing
@testable import RunbookCore

@Suite("SQL tokenizer")
struct SQLTokenizerTests {
    @Test("words and placeholders outside literals, identifiers, bodies and comments", arguments: [
        ("SELECT a FROM t WHERE b = :x", ["select", "a", "from", "t", "where", "b"], ["x"]),
        ("SELECT ':no', x::int, :yes -- :nope\n FROM t /* :c /* nested :d */ :e */ WHERE a = :yes", ["select", "x", "int", "from", "t", "where", "a"], ["yes"]),
        ("SELECT 'it''s :no', \"col :no\"\"x\" FROM t", ["select", "from", "t"], []),
        ("SELECT E'\\' :no' , :yes", ["select"], ["yes"]),
        ("SELECT $$ DELETE :no $$, $body$ DROP $body$, $1, :a", ["select"], ["a"]),
        ("DELETE FROM etl_file WHERE id = :id RETURNING id", ["delete", "from", "etl_file", "where", "id", "returning", "id"], ["id"]),
        ("SELECT array[1,2][1:2], 1.5e3", ["select", "array"], []),
    ])
    func tokens(_ sql: String, _ words: [String], _ placeholders: [String]) {
        #expect(SQLTokenizer.words(sql) == words)
        #expect(SQLTokenizer.placeholderNames(sql) == placeholders)
    }

    @Test func numberingKeepsEverythingElse() {
        let (text, names) = SQLTokenizer.numbered("SELECT :a, ':a', :b, :a -- :c\n")
        #expect(text == "SELECT $1, ':a', $2, $1 -- :c\n")
        #expect(names == ["a", "b"])
    }

    @Test("edge cases end cleanly", arguments: [
        "SELECT $$ :in_dollars $$, $tag$ :also $tag$, :after FROM t",
        "SELECT \"col:umn\", :a1, a:b, 1:x, :_under, ::text, :",
        "SELECT make_interval(hours => :window_hours) /* unterminated :z",
        "SELECT 'unterminated :q",
        "",
    ])
    func edges(_ sql: String) {
        let names = SQLTokenizer.placeholderNames(sql)
        #expect(SQLTokenizer.numbered(sql).names == names)
        #expect(!names.contains("z") && !names.contains("q") && !names.contains("in_dollars") && !names.contains("umn"))
    }
}
