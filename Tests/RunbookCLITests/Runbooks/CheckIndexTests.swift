import Foundation
import RunbookCore
import Testing

extension SandboxSuites {
    /// Fast on production data: every condition a check puts on a big table (etl_file,
    /// etl_dead_letter_queue, etl_alert_history) can be served by an index.
    ///
    /// Why not "EXPLAIN shows no Seq Scan" here: on the sandbox's small tables the planner
    /// rightly prefers a sequential scan whatever the indexes, so that assertion would test
    /// the table sizes, not the schema. What does not depend on the data is the plan's shape:
    /// each check's SQL (every SQL check of every runbook and reusable check, loaded with the
    /// project's own loader) is prepared as the SQL driver sends it (untyped parameters) and
    /// explained as a generic plan; every scan of a big table, with the conditions on it (its
    /// own filter or index condition, and the join conditions that name it), must have a
    /// column that leads an index of that table. A scan with no condition at all fails too.
    /// The plans themselves, on 5 M files, are in scripts/bench-runbooks (make bench), which
    /// lists any sequential scan of these tables.
    @Suite("checks: an index behind every WHERE on the big tables")
    struct CheckIndexTests {
        let sandbox: Sandbox
        init() throws { sandbox = try Sandbox.current() }

        static let bigTables = ["etl_file", "etl_dead_letter_queue", "etl_alert_history"]

        /// (where, SQL) of every SQL check, once each.
        static func sqlChecks() throws -> [(String, String)] {
            let root = CLITests.packageRoot
            let loader = RunbookLoader(home: root)
            var seen = Set<String>()
            var out: [(String, String)] = []
            let files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("runbooks").path)
                .filter { $0.hasSuffix(".yaml") }.sorted()
            for name in files {
                let (runbook, diagnostics) = loader.loadRunbook(at: root.appendingPathComponent("runbooks/\(name)"))
                guard let runbook else { throw Sandbox.PSQLFailed(message: "\(name): \(diagnostics)") }
                for step in runbook.steps where step.kind == .check {
                    // The big tables are the ETL database's; a check that reads the ledger
                    // (sla-report's probe history, keyed by environment and minute) is not about them.
                    guard case .sql(let spec) = step.driver, spec.database == .etl, !seen.contains(spec.sql.value) else { continue }
                    seen.insert(spec.sql.value)
                    out.append(("\(name) \(step.id)", spec.sql.value))
                }
            }
            return out
        }

        /// `:name` placeholders as `$n`, the way the SQL driver binds them (`::type` casts kept).
        static func positional(_ sql: String) -> String {
            var names: [String] = []
            var out = ""
            let chars = Array(sql)
            var i = 0
            while i < chars.count {
                let c = chars[i]
                if c == ":", i + 1 < chars.count, chars[i + 1] == ":" {
                    out += "::"
                    i += 2
                } else if c == ":", i + 1 < chars.count, chars[i + 1].isLetter || chars[i + 1] == "_" {
                    var j = i + 1
                    while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
                    let name = String(chars[(i + 1)..<j])
                    if !names.contains(name) { names.append(name) }
                    out += "$\(names.firstIndex(of: name)! + 1)"
                    i = j
                } else {
                    out.append(c)
                    i += 1
                }
            }
            return out
        }

        @Test func everyConditionOnABigTableHasAnIndex() throws {
            try sandbox.reseed("healthy")
            let columns = try Dictionary(grouping: sandbox.psql("""
                SELECT table_name || ' ' || column_name FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name IN ('etl_file', 'etl_dead_letter_queue', 'etl_alert_history')
                """).split(separator: "\n").map { $0.split(separator: " ").map(String.init) }, by: { $0[0] })
                .mapValues { Set($0.map { $0[1] }) }
            // The leading column of every index of each big table.
            var leading: [String: Set<String>] = [:]
            for line in try sandbox.psql("""
                SELECT tablename || ' ' || substring(indexdef FROM '\\(([a-z_]+)') FROM pg_indexes
                 WHERE schemaname = current_schema() AND tablename IN ('etl_file', 'etl_dead_letter_queue', 'etl_alert_history')
                """).split(separator: "\n") {
                let parts = line.split(separator: " ").map(String.init)
                leading[parts[0], default: []].insert(parts[1])
            }
            let checks = try Self.sqlChecks()
            #expect(checks.count >= 20, "found \(checks.count) SQL checks")
            for (where_, sql) in checks {
                // A check that is itself an EXPLAIN (scenario 4's index-used) is planned as its statement.
                let statementText = sql.trimmingCharacters(in: .whitespacesAndNewlines)
                let sqlText = Self.positional(statementText.uppercased().hasPrefix("EXPLAIN ") ? String(statementText.dropFirst(8)) : statementText)
                let count = Set(sqlText.matches(of: /\$([0-9]+)/).map { $0.output.1 }).count
                let nulls = Array(repeating: "NULL", count: count).joined(separator: ", ")
                let statement = """
                    SET plan_cache_mode = force_generic_plan;
                    PREPARE check_sql AS \(sqlText);
                    EXPLAIN (FORMAT JSON) EXECUTE check_sql\(count > 0 ? "(\(nulls))" : "");
                    """
                let plan: Any
                do {
                    let text = try sandbox.psql(statement)
                    let json = text.split(separator: "\n").drop { !$0.hasPrefix("[") }.joined(separator: "\n")
                    plan = try JSONSerialization.jsonObject(with: Data(json.utf8))
                } catch {
                    Issue.record("\(where_): cannot explain: \(error)")
                    continue
                }
                guard let root = (plan as? [[String: Any]])?.first?["Plan"] as? [String: Any] else {
                    Issue.record("\(where_): no plan")
                    continue
                }
                for scan in Self.scans(root, inherited: []) where Self.bigTables.contains(scan.table) && !scan.indexed {
                    let used = Self.columns(in: scan.conditions, alias: scan.alias, of: columns[scan.table] ?? [])
                    #expect(!used.isDisjoint(with: leading[scan.table] ?? []),
                            "\(where_): \(scan.table) is read with no index for \(used.isEmpty ? "no condition at all" : "\(used.sorted())") (indexes lead with \((leading[scan.table] ?? []).sorted()))")
                }
            }
        }

        /// A scan of `table`; `indexed` when the plan already reads it through an index (a
        /// partial index whose predicate is the WHERE shows no condition at all).
        struct Scan { var table: String, alias: String, conditions: [String], indexed: Bool }

        /// Every scan node of a big table, with its own conditions and those of the joins above it.
        static func scans(_ node: [String: Any], inherited: [String]) -> [Scan] {
            var mine = inherited
            for key in ["Join Filter", "Hash Cond", "Merge Cond"] { if let c = node[key] as? String { mine.append(c) } }
            var out: [Scan] = []
            if let table = node["Relation Name"] as? String {
                var conditions = mine
                for key in ["Filter", "Index Cond", "Recheck Cond"] { if let c = node[key] as? String { conditions.append(c) } }
                out.append(Scan(table: table, alias: node["Alias"] as? String ?? table, conditions: conditions,
                                indexed: node["Index Name"] != nil))
            }
            for child in node["Plans"] as? [[String: Any]] ?? [] {
                out += scans(child, inherited: mine)
            }
            return out
        }

        /// The table's columns named in `conditions`: bare in the scan's own conditions, or
        /// qualified by its alias in a join's.
        static func columns(in conditions: [String], alias: String, of known: Set<String>) -> Set<String> {
            var found = Set<String>()
            for condition in conditions {
                for match in condition.matches(of: /(?:([a-z_][a-z0-9_]*)\.)?([a-z_][a-z0-9_]*)/) {
                    let qualifier = match.output.1.map(String.init)
                    let name = String(match.output.2)
                    if known.contains(name), qualifier == nil || qualifier == alias { found.insert(name) }
                }
            }
            return found
        }
    }
}
