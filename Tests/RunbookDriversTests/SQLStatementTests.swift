import RunbookCore
import RunbookDrivers
import Testing

@Suite("SQL statement classification and URLs")
struct SQLStatementTests {
    @Test("statements are wrapped, wrapped as a CTE, or sent as written", arguments: [
        ("SELECT 1", SQLStatement.query),
        ("  -- comment\n(select 1)", .query),
        ("WITH x AS (SELECT 1) SELECT * FROM x", .query),
        ("VALUES (1)", .query),
        ("TABLE etl_file", .query),
        ("WITH d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d", .command),
        ("UPDATE t SET a = 1", .command),
        ("UPDATE t SET a = 'returning' WHERE b = $1", .command),
        ("UPDATE t SET a = 1 RETURNING id", .returning),
        ("insert into t values (1) returning *", .returning),
        ("DELETE FROM t /* returning */", .command),
        ("ANALYZE t", .command),
        ("SHOW statement_timeout", .command),
        ("EXPLAIN SELECT 1", .command),
        ("REINDEX TABLE t", .command),
        ("SELECT $tag$ returning $tag$ AS x", .query),
    ])
    func classify(sql: String, expected: SQLStatement) {
        #expect(SQLStatement.classify(sql) == expected)
    }

    @Test("wrapping strips trailing semicolons and keeps a trailing comment harmless")
    func wrap() {
        let wrapped = SQLStatement.query.wrap("SELECT 1 -- trailing\n;\n", maxRows: 10)
        #expect(wrapped == "SELECT row_to_json(q)::text FROM (\nSELECT 1 -- trailing\n) q LIMIT 11")
        #expect(SQLStatement.returning.wrap("UPDATE t SET a = 1 RETURNING a;", maxRows: 5) == "WITH q AS (\nUPDATE t SET a = 1 RETURNING a\n) SELECT row_to_json(q)::text FROM q")
    }
}
