import RunbookCore
import Testing

/// A check's rows read back from the SQL driver's excerpt and laid out for a terminal
/// (what `runbook approve` prints) — pure, no database.
@Suite("result tables")
struct ResultTableTests {
    /// Scenario 2's `error-types` as the SQL driver writes its excerpt: `row_to_json` text,
    /// then the command tag.
    static let errorTypes = """
        {"error_type":"connection","error_message":"could not connect to the upstream SFTP server sftp.fazenda-boa-vista.example: connection timed out after 30 s","count":17,"last_occurrence":"2026-12-07T02:41:09.123+00:00"}
        {"error_type":"validation","error_message":"line 14: peso_kg is not a number","count":4,"last_occurrence":"2026-12-07T01:02:03+00:00"}
        {"error_type":"resource","error_message":"file too large","count":1.50,"last_occurrence":null}
        (SELECT 13, first 10 shown)
        """

    @Test func columnsInTheQuerysOrderNumbersRightAlignedAndMore() throws {
        let t = try #require(ResultTable(excerpt: Self.errorTypes))
        #expect(t.columns == ["error_type", "error_message", "count", "last_occurrence"])
        #expect(t.numeric == [false, false, true, false])
        #expect(t.rows.count == 3)
        #expect(t.rows[2][2].text == "1.50", "a numeric keeps its exact text")
        #expect(t.rows[2][3].text == "")
        #expect(t.more == 10)
        #expect(t.summary == "SELECT 13, first 10 shown")
    }

    @Test func theValueAnActionReadIsMarked() throws {
        let marks = ResultTable.highlights(in: ["steps.error-types.result.rows[1].count", "steps.error-types.result.rows",
                                                "steps.other.result.rows[0].count"], step: "error-types")
        #expect(marks == [ResultTable.Position(row: 1, column: "count")])
        let t = try #require(ResultTable(excerpt: Self.errorTypes, highlight: marks))
        #expect(t.rows[1][2].highlighted)
        #expect(t.rows.joined().filter(\.highlighted).count == 1)
        let plain = t.text(width: 72)
        #expect(plain.contains { $0.contains("*4*") }, "\(plain.joined(separator: "\n"))")
        let coloured = t.text(width: 72, color: true)
        #expect(coloured.contains { $0.contains("\u{1B}[7m4\u{1B}[0m") })
    }

    @Test func theTextFitsItsWidthWrappingLongCells() throws {
        let t = try #require(ResultTable(excerpt: Self.errorTypes))
        for width in [80, 72, 50] {
            let lines = t.text(width: width)
            #expect(lines.allSatisfy { $0.count <= width }, "\(width):\n\(lines.joined(separator: "\n"))")
            let text = lines.joined(separator: " ")
            for word in ["connection", "upstream", "validation", "resource", "17"] { #expect(text.contains(word), "\(word) at \(width)") }
        }
        let lines = t.text(width: 80)
        #expect(lines[0].hasPrefix("error_type"))
        #expect(lines[1].hasPrefix("──────────"))
        #expect(lines.last == "and 10 more (SELECT 13, first 10 shown)")
        // Numbers end at the column's right edge: "17" and "4" end in the same column.
        let seventeen = try #require(lines.first { $0.hasPrefix("connection") })
        let four = try #require(lines.first { $0.hasPrefix("validation") })
        let end17 = try #require(seventeen.range(of: " 17")).upperBound
        let end4 = try #require(four.range(of: " 4 ")).lowerBound
        #expect(seventeen.distance(from: seventeen.startIndex, to: end17) == four.distance(from: four.startIndex, to: end4) + 2)
    }

    @Test func tooManyColumnsBecomeOneBlockPerRow() throws {
        let row = "{" + (1...14).map { "\"column_\($0)\":\"value \($0)\"" }.joined(separator: ",") + "}"
        let t = try #require(ResultTable(excerpt: row + "\n(SELECT 1)"))
        let lines = t.text(width: 40)
        #expect(lines.allSatisfy { $0.count <= 40 }, "\(lines.joined(separator: "\n"))")
        #expect(lines.contains { $0.hasPrefix("column_14") && $0.hasSuffix("value 14") })
        #expect(lines.last == "(SELECT 1)")
    }

    @Test func aRowCutByTheDriverIsClosedWhereItWasCut() throws {
        let cut = "{\"id\":7,\"error_message\":\"" + String(repeating: "x", count: 260) + "…"
        let t = try #require(ResultTable(excerpt: cut + "\n(SELECT 1)"))
        #expect(t.columns == ["id", "error_message"])
        #expect(t.rows[0][1].text.hasSuffix("x…"))
    }

    @Test func anExcerptTheAuditLogCutKeepsTheRowsBeforeTheCut() throws {
        let t = try #require(ResultTable(excerpt: "{\"a\":1}\n{\"a\":2,\"b\":\"xy…[truncated]"))
        #expect(t.rows.count == 1)
        #expect(t.more == 0)
        #expect(t.summary == "the rest cut by the audit log")
    }

    @Test func otherExcerptsAreNotTables() {
        #expect(ResultTable(excerpt: "HTTP 200 OK\n{\"ok\":true}") == nil)
        #expect(ResultTable(excerpt: "{\"since\": \"x\", \"lines\": 3, \"errors\": 0}") == nil)
        #expect(ResultTable(excerpt: "(UPDATE 3)") == nil)
        #expect(ResultTable(excerpt: "<script>\n(SELECT 1)") == nil)
    }
}
