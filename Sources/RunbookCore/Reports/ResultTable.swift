/// A check's result rows as a table, read back from its output excerpt: what an approver and
/// the run page show instead of the rows' JSON text. One model for both renderers: the text one
/// (``text(width:mark:)``, `runbook approve`) and the console's HTML.
///
/// The SQL driver's excerpt is at most 10 rows as PostgreSQL's `row_to_json` text (so the keys
/// are the query's columns, in its order; a row over 300 characters is cut and ends in `…`)
/// then a summary line, `(SELECT 17, first 10 shown)`. Anything else (a shell's output, an HTTP
/// body) is not a table: ``init(excerpt:highlight:)`` gives nil and the excerpt is shown as
/// text. An excerpt the audit log cut is the rows before the cut.
public struct ResultTable: Sendable, Hashable {
    /// One cell.
    public struct Cell: Sendable, Hashable {
        /// The value as text (numbers in their exact text, null as empty).
        public var text: String
        /// A number (right-aligned).
        public var numeric: Bool
        /// A value the action depends on (its `when`, `confirm` or command read it).
        public var highlighted: Bool
    }

    /// The query's columns, in its order.
    public var columns: [String]
    /// Whether a column holds numbers only (and at least one): right-aligned.
    public var numeric: [Bool]
    /// The rows the excerpt kept, each with one cell per column.
    public var rows: [[Cell]]
    /// Rows the query returned that the excerpt did not keep ("and N more").
    public var more: Int
    /// The command tag and what was cut, as the driver said (`SELECT 17, first 10 shown`).
    public var summary: String

    /// The table in `excerpt`; nil when it is not the SQL driver's rows. `highlight`: the
    /// (row, column) pairs to mark (``highlights(in:step:)``).
    public init?(excerpt: String, highlight: Set<Position> = []) {
        var lines = excerpt.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let last = lines.popLast(), !lines.isEmpty else { return nil }
        if last.hasPrefix("("), last.hasSuffix(")") {
            summary = String(last.dropFirst().dropLast())
        } else if last.hasSuffix("…[truncated]") {
            // The audit log cut the excerpt (``AuditEvent/StepEnded/excerptLimit``) in a row.
            summary = "the rest cut by the audit log"
        } else {
            return nil
        }
        var parsed: [[(key: String, value: Value, cut: Bool)]] = []
        for line in lines {
            guard let row = Self.row(line) else { return nil }
            parsed.append(row)
        }
        var columns: [String] = []
        for row in parsed { for pair in row where !columns.contains(pair.key) { columns.append(pair.key) } }
        guard !columns.isEmpty else { return nil }
        self.columns = columns
        let rows = parsed.enumerated().map { index, row in
            columns.map { column in
                guard let pair = row.first(where: { $0.key == column }) else { return Cell(text: "", numeric: false, highlighted: false) }
                let isNumber: Bool
                switch pair.value {
                case .int, .double, .decimal: isNumber = true
                default: isNumber = false
                }
                return Cell(text: pair.value.interpolated + (pair.cut ? "…" : ""), numeric: isNumber,
                            highlighted: highlight.contains(Position(row: index, column: column)))
            }
        }
        self.rows = rows
        numeric = columns.indices.map { c in
            let filled = rows.filter { !$0[c].text.isEmpty }
            return !filled.isEmpty && filled.allSatisfy(\.[c].numeric)
        }
        let total = Self.count(in: summary)
        more = max(0, (total ?? rows.count) - rows.count)
    }

    /// A cell's place: the row's index in the result (0 first) and the column's name.
    public struct Position: Sendable, Hashable {
        public var row: Int
        public var column: String

        public init(row: Int, column: String) {
            self.row = row
            self.column = column
        }
    }

    /// The cells of `step`'s rows among the paths a finding read
    /// (`steps.error-rate.result.rows[0].error_rate` is row 0, column `error_rate`).
    public static func highlights(in paths: [String], step: String) -> Set<Position> {
        let prefix = "steps.\(step).result.rows["
        var found = Set<Position>()
        for path in paths where path.hasPrefix(prefix) {
            let rest = path.dropFirst(prefix.count)
            guard let close = rest.firstIndex(of: "]"), let row = Int(rest[..<close]) else { continue }
            let after = rest[rest.index(after: close)...]
            guard after.hasPrefix("."), after.count > 1 else { continue }
            let column = after.dropFirst().prefix { $0 != "." && $0 != "[" }
            found.insert(Position(row: row, column: String(column)))
        }
        return found
    }

    /// One row's keys and values in order; a row cut by the driver (ending in `…`) is closed
    /// where it was cut and its last value marked as cut.
    static func row(_ line: String) -> [(key: String, value: Value, cut: Bool)]? {
        guard line.hasPrefix("{") else { return nil }
        if let pairs = object(line) { return pairs.map { ($0.key, $0.value, false) } }
        guard line.hasSuffix("…") else { return nil }
        let body = String(line.dropLast())
        for closing in ["\"}", "}", "\\\"}", "null}", ":null}", "\":null}"] {
            if var pairs = object(body + closing)?.map({ (key: $0.key, value: $0.value, cut: false) }), !pairs.isEmpty {
                pairs[pairs.count - 1].cut = true
                return pairs
            }
        }
        return nil
    }

    static func object(_ text: String) -> [(key: String, value: Value)]? {
        guard case .object(let o)? = try? JSON.parse(text, exactDecimals: true) else { return nil }
        return o.pairs.map { ($0.key, $0.value) }
    }

    /// The row count in a summary (`SELECT 17, first 10 shown` is 17); nil without one.
    static func count(in summary: String) -> Int? {
        let head = summary.split(separator: ",").first ?? ""
        guard let last = head.split(separator: " ").last else { return nil }
        return Int(last)
    }
}
