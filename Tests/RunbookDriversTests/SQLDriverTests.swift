import Foundation
import RunbookCore
import RunbookDrivers
import Testing

/// The SQL driver against a real PostgreSQL (`scripts/test-postgres up`).
@Suite("SQL driver")
struct SQLDriverTests {
    let environment: Environment

    init() throws {
        environment = try TestDatabase.environment()
    }

    /// Runs `body` with a fresh driver and a table `name (id bigint, name text, active bool)`
    /// holding `rows` rows; drops it afterwards.
    func withTable<R: Sendable>(_ prefix: String, rows: Int = 3, maxConnections: Int = 2, _ body: (SQLDriver, String) async throws -> R) async throws -> R {
        let table = TestDatabase.table(prefix)
        return try await SQLDriver.withDriver(url: environment.databaseURL, options: .init(maxConnections: maxConnections)) { driver in
            _ = try await run(driver, sqlStep("create", """
                CREATE TABLE \(table) (id bigint PRIMARY KEY, name text NOT NULL, active bool NOT NULL DEFAULT true)
                """, kind: .action), environment: environment)
            if rows > 0 {
                _ = try await run(driver, sqlStep("fill", "INSERT INTO \(table) (id, name) SELECT g, 'row ' || g FROM generate_series(1, :n) g",
                                                  kind: .action, params: ["n": "inputs.n"]), inputs: ["n": .int(rows)], environment: environment)
            }
            do {
                let result = try await body(driver, table)
                _ = try? await run(driver, sqlStep("drop", "DROP TABLE \(table)", kind: .action), environment: environment)
                return result
            } catch {
                _ = try? await run(driver, sqlStep("drop", "DROP TABLE \(table)", kind: .action), environment: environment)
                throw error
            }
        }
    }

    func count(_ driver: SQLDriver, _ table: String, where condition: String = "true") async throws -> Int {
        let output = try await run(driver, sqlStep("count", "SELECT count(*) AS n FROM \(table) WHERE \(condition)"), environment: environment)
        return Int(output.rows.first?["n"]?.number ?? -1)
    }

    @Test("a hostile bind value is data: it changes nothing and matches nothing")
    func hostileBindValue() async throws {
        try await withTable("hostile") { driver, table in
            let hostile = "'; DROP TABLE \(table); --"
            let output = try await run(driver, sqlStep("find", "SELECT id, name FROM \(table) WHERE name = :name", params: ["name": "inputs.name"]),
                                       inputs: ["name": .string(hostile)], environment: environment)
            #expect(output.rows.isEmpty)
            #expect(output.result["row_count"] == .int(0))
            // The same value in an action is data too.
            let insert = try await run(driver, sqlStep("add", "INSERT INTO \(table) (id, name) VALUES (99, :name)", kind: .action,
                                                       params: ["name": "inputs.name"]), inputs: ["name": .string(hostile)], environment: environment)
            #expect(insert.result["row_count"] == .int(1))
            let back = try await run(driver, sqlStep("get", "SELECT name FROM \(table) WHERE id = :id", params: ["id": "99"]), environment: environment)
            #expect(back.rows.first?["name"] == .string(hostile))
            let counted = try await count(driver, table)
            #expect(counted == 4)
        }
    }

    @Test("a check that tries to write fails with SQLSTATE 25006 and changes nothing")
    func checkIsReadOnly() async throws {
        try await withTable("readonly") { driver, table in
            let message = await errorMessage { try await run(driver, sqlStep("purge", "DELETE FROM \(table)"), environment: environment) }
            #expect(message.contains("step 'purge'"))
            #expect(message.contains("SQLSTATE 25006"))
            #expect(message.contains("cannot execute DELETE in a read-only transaction"))
            // A write hidden in a CTE of a check is refused as well.
            let hidden = await errorMessage {
                try await run(driver, sqlStep("hidden", "WITH d AS (DELETE FROM \(table) RETURNING id) SELECT count(*) FROM d"), environment: environment)
            }
            #expect(hidden.contains("SQLSTATE 25006"))
            let counted = try await count(driver, table)
            #expect(counted == 3)
        }
    }

    @Test("PostgreSQL types are rendered faithfully, columns in order")
    func typesRendered() async throws {
        try await SQLDriver.withDriver(url: environment.databaseURL) { driver in
            let output = try await run(driver, sqlStep("types", """
                SELECT 12.50::numeric(6,2) AS rate, 7 AS n, 12345678901234::bigint AS big, 2.5::float8 AS f,
                       timestamptz '2024-05-01 12:34:56.789+00' AS at, interval '1 day 02:03:04' AS gap,
                       '{"z": 1, "a": [1, 2]}'::json AS doc, '{"b": 1, "a": {"c": null}}'::jsonb AS bin,
                       NULL::text AS nothing, true AS yes, 'olá "x"' AS txt, ARRAY[1, 2] AS arr, date '2024-05-01' AS day;
                """), environment: environment)
            let row = try #require(output.rows.first?.objectValue)
            #expect(row.keys == ["rate", "n", "big", "f", "at", "gap", "doc", "bin", "nothing", "yes", "txt", "arr", "day"])
            #expect(output.result["columns"] == .list(row.keys.map(Value.string)))
            #expect(row["rate"] == .decimal(ExactDecimal("12.50")!))  // an exact number, its scale kept...
            #expect(output.excerpt.contains("\"rate\":12.50"))  // ...as in the excerpt PostgreSQL rendered
            #expect(row["n"] == .int(7))
            #expect(row["big"] == .int(12_345_678_901_234))
            #expect(row["f"] == .decimal(ExactDecimal("2.5")!))  // a fraction in a row is PostgreSQL's exact text
            let at = try #require(row["at"]?.stringValue)
            #expect(at.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.789[+-]\d\d(:\d\d)?/) != nil, "ISO 8601: \(at)")
            #expect(row["gap"] == .string("1 day 02:03:04"))
            #expect(row["doc"]?.objectValue?.keys == ["z", "a"])  // json keeps the document's order
            #expect(row["doc"]?["a"] == .list([1, 2]))
            #expect(row["bin"]?["a"]?["c"] == .null)
            #expect(row["nothing"] == .null)
            #expect(row["yes"] == .bool(true))
            #expect(row["txt"] == .string("olá \"x\""))
            #expect(row["arr"] == .list([1, 2]))
            #expect(row["day"] == .string("2024-05-01"))
            #expect(output.result["row_count"] == .int(1))
            #expect(output.result["truncated"] == .bool(false))
            #expect(output.digest.count == 64)
        }
    }

    @Test("numeric is exact: every digit, its scale, in rows and in command results")
    func numericIsExact() async throws {
        let huge = "12345678901234567890.123456789"
        try await withTable("numeric", rows: 1) { driver, table in
            let query = try await run(driver, sqlStep("query", """
                SELECT \(huge)::numeric AS huge, 1.00::numeric AS one, 0.000::numeric AS zero, 100000000::numeric AS big
                """), environment: environment)
            let row = try #require(query.rows.first)
            #expect(row["huge"] == .decimal(ExactDecimal(huge)!))
            #expect(row["huge"]?.interpolated == huge)
            #expect(row["one"]?.interpolated == "1.00")
            #expect(row["zero"]?.interpolated == "0.000")
            #expect(row["big"] == .int(100_000_000))
            // A threshold compares exactly, beyond the digits of a double.
            let scope = ExpressionScope(["result": query.result])
            #expect(try Expression("result.rows[0].huge > 12345678901234567890").evaluate(in: scope) == true)
            #expect(try Expression("result.rows[0].huge < 12345678901234567891").evaluate(in: scope) == true)
            #expect(try Expression("result.rows[0].one == 1").evaluate(in: scope) == true)
            // A statement that is not wrapped in row_to_json decodes numeric cells from the binary form.
            let command = try await run(driver, sqlStep("command", """
                WITH u AS (UPDATE \(table) SET active = active RETURNING id)
                SELECT \(huge)::numeric AS huge, 1.00::numeric AS one, -0.0001::numeric AS tiny, 0.000::numeric AS zero,
                       100000000::numeric AS big, 'NaN'::numeric AS nan FROM u
                """, kind: .action), environment: environment)
            let cells = try #require(command.rows.first)
            #expect(cells["huge"]?.interpolated == huge)
            #expect(cells["one"]?.interpolated == "1.00")
            #expect(cells["tiny"]?.interpolated == "-0.0001")
            #expect(cells["zero"]?.interpolated == "0.000")
            #expect(cells["big"]?.interpolated == "100000000")
            #expect(cells["nan"]?.number?.isNaN == true)
        }
    }

    @Test("bind values take the type their context needs")
    func bindTypes() async throws {
        try await withTable("binds", rows: 5) { driver, table in
            let output = try await run(driver, sqlStep("binds", """
                SELECT count(*) AS n, max(id) AS top,
                       bool_and(now() - make_interval(hours => :hours) < now()) AS past
                FROM (SELECT * FROM \(table) WHERE id >= :id AND active = :active AND name <> :name ORDER BY id LIMIT :limit) s
                """, params: ["hours": "inputs.hours", "id": "inputs.id", "active": "true", "name": "'x'", "limit": "inputs.limit"]),
                inputs: ["hours": 4, "id": 2, "limit": 3], environment: environment)
            let row = try #require(output.rows.first)
            #expect(row["n"] == .int(3))
            #expect(row["top"] == .int(4))
            #expect(row["past"] == .bool(true))
            let more = try await run(driver, sqlStep("more", """
                SELECT :d::float8 * 2 AS twice, jsonb_array_length(:list) AS items, :obj ->> 'k' AS k, :nothing::int IS NULL AS is_null, :text AS echoed
                """, params: ["d": "1.25", "list": "[1, 2, 3]", "obj": "inputs.obj", "nothing": "null", "text": "'olá'"]),
                inputs: ["obj": .object([("k", "v")])], environment: environment)
            let r = try #require(more.rows.first)
            #expect(r["twice"] == .decimal(ExactDecimal("2.5")!))
            #expect(r["items"] == .int(3))
            #expect(r["k"] == .string("v"))
            #expect(r["is_null"] == .bool(true))
            #expect(r["echoed"] == .string("olá"))
            // A value that is not of the inferred type is refused by the server, not spliced.
            let bad = await errorMessage {
                try await run(driver, sqlStep("bad", "SELECT * FROM \(table) WHERE id = :id", params: ["id": "'1 OR 1=1'"]), environment: environment)
            }
            #expect(bad.contains("SQLSTATE 22P02"))
        }
    }

    @Test("rows are capped at max rows, and the result says so")
    func rowCap() async throws {
        try await SQLDriver.withDriver(url: environment.databaseURL) { driver in
            let output = try await run(driver, sqlStep("many", "SELECT g AS n FROM generate_series(1, 25) g ORDER BY g", maxRows: 10), environment: environment)
            #expect(output.rows.count == 10)
            #expect(output.rows.last?["n"] == .int(10))
            #expect(output.result["truncated"] == .bool(true))
            #expect(output.excerpt.contains("truncated at 10 rows"))
            let exact = try await run(driver, sqlStep("exact", "SELECT g AS n FROM generate_series(1, 10) g", maxRows: 10), environment: environment)
            #expect(exact.result["truncated"] == .bool(false))
            #expect(exact.rows.count == 10)
        }
    }

    @Test("an action commits; RETURNING gives rows; the command tag gives the count")
    func actionCommits() async throws {
        try await withTable("commit", rows: 5) { driver, table in
            let update = try await run(driver, sqlStep("rename", "UPDATE \(table) SET name = 'done' WHERE id <= :n", kind: .action, params: ["n": "3"]),
                                       environment: environment)
            #expect(update.succeeded)
            #expect(update.result["row_count"] == .int(3))
            #expect(update.result["command"] == .string("UPDATE 3"))
            #expect(update.rows.isEmpty)
            let counted = try await count(driver, table, where: "name = 'done'")
            #expect(counted == 3)
            let returning = try await run(driver, sqlStep("off", "UPDATE \(table) SET active = false WHERE id > 3 RETURNING id, active;", kind: .action,
                                                          maxRows: 1), environment: environment)
            #expect(returning.result["row_count"] == .int(2))
            #expect(returning.result["command"] == .string("UPDATE 2"))
            #expect(returning.rows.count == 1)
            #expect(returning.result["truncated"] == .bool(true))
            #expect(returning.rows.first?["active"] == .bool(false))
            let inactive = try await count(driver, table, where: "not active")
            #expect(inactive == 2)
            let analyze = try await run(driver, sqlStep("analyze", "ANALYZE \(table)", kind: .action), environment: environment)
            #expect(analyze.result["command"] == .string("ANALYZE"))
            #expect(analyze.result["row_count"] == .null)
            let show = try await run(driver, sqlStep("show", "SHOW statement_timeout"), environment: environment)
            #expect(show.rows.first?["statement_timeout"]?.stringValue?.isEmpty == false)
        }
    }

    @Test("a failing action rolls back and leaves the connection clean")
    func failingActionRollsBack() async throws {
        try await withTable("rollback", rows: 3, maxConnections: 1) { driver, table in
            let message = await errorMessage {
                try await run(driver, sqlStep("bad", "WITH u AS (UPDATE \(table) SET name = 'gone' RETURNING id) SELECT 1 / (count(*) - count(*)) FROM u",
                                              kind: .action), environment: environment)
            }
            #expect(message.contains("step 'bad': SQLSTATE 22012: division by zero"))
            let counted = try await count(driver, table, where: "name = 'gone'")
            #expect(counted == 0)
            // The only connection is usable again: had it been left inside the failed transaction,
            // this would fail with SQLSTATE 25P02.
            let fine = try await run(driver, sqlStep("fine", "UPDATE \(table) SET name = 'kept' WHERE id = 1", kind: .action), environment: environment)
            #expect(fine.result["row_count"] == .int(1))
        }
    }

    @Test("a statement past the step's timeout is stopped by the server")
    func statementTimeout() async throws {
        try await SQLDriver.withDriver(url: environment.databaseURL, options: .init(maxConnections: 1)) { driver in
            let message = await errorMessage {
                try await run(driver, sqlStep("slow", "SELECT pg_sleep(5)", timeout: .milliseconds(800)), environment: environment)
            }
            #expect(message.contains("SQLSTATE 57014"))
            let after = try await run(driver, sqlStep("after", "SELECT 1 AS one"), environment: environment)
            #expect(after.rows.first?["one"] == .int(1))
        }
    }

    @Test("cancelling a step (Ctrl-C) stops a running statement at once; the driver goes on")
    func cancellation() async throws {
        try await SQLDriver.withDriver(url: environment.databaseURL, options: .init(maxConnections: 1)) { driver in
            let environment = self.environment
            let step = try sqlStep("sleepy", "SELECT pg_sleep(10)", timeout: .seconds(30))
            let task = Task { try await run(driver, step, environment: environment) }
            try await Task.sleep(for: .milliseconds(300))
            task.cancel()
            let outcome = await task.result
            switch outcome {
            case .success: Issue.record("the step should have been interrupted")
            case .failure(let error): #expect(error is CancellationError, "\(error)")
            }
            let after = try await run(driver, sqlStep("after", "SELECT 2 AS two"), environment: environment)
            #expect(after.rows.first?["two"] == .int(2))
        }
    }

    @Test("a database that is down fails the step quickly, naming host and port, never the password")
    func databaseDown() async throws {
        let password = "s3cret-Pa55word"
        let url = "postgres://runbook:\(password)@127.0.0.1:1/runbook_test?sslmode=disable"
        let environment = try TestDatabase.environment(url: url)
        let clock = ContinuousClock()
        let start = clock.now
        let message = try await SQLDriver.withDriver(url: url) { driver in
            await errorMessage { try await run(driver, sqlStep("probe", "SELECT 1"), environment: environment) }
        }
        let elapsed = clock.now - start
        #expect(message.contains("step 'probe'"))
        #expect(message.contains("127.0.0.1:1"))
        #expect(message.contains("connection refused"))
        #expect(!message.contains(password))
        print("database down: failed in \(elapsed): \(message)")
    }

    @Test("a refused login fails quickly with SQLSTATE 28P01, never the password")
    func wrongPassword() async throws {
        var components = try #require(URLComponents(string: try TestDatabase.url()))
        components.password = "wrong-Pa55word"
        let url = try #require(components.string)
        let environment = try TestDatabase.environment(url: url)
        let message = try await SQLDriver.withDriver(url: url) { driver in
            await errorMessage { try await run(driver, sqlStep("probe", "SELECT 1"), environment: environment) }
        }
        #expect(message.contains("SQLSTATE 28P01"))
        #expect(message.contains("127.0.0.1:"))
        #expect(!message.contains("wrong-Pa55word"))
    }

    @Test("a missing database.url is the step's error")
    func missingURL() async throws {
        let driver = SQLDriver(url: nil)
        let environment = try TestDatabase.environment()
        let message = await errorMessage { try await run(driver, sqlStep("probe", "SELECT 1"), environment: environment) }
        #expect(message.contains("no database.url"))
        await driver.shutdown()
    }

    @Test("concurrent checks share one client of two connections")
    func concurrentChecks() async throws {
        let name = "runbook-test-\(UInt32.random(in: 0...UInt32.max))"
        try await SQLDriver.withDriver(url: environment.databaseURL, options: .init(applicationName: name)) { driver in
            let environment = self.environment
            let values = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 1...8 {
                    group.addTask {
                        let output = try await run(driver, sqlStep("c\(i)", "SELECT :i::int AS i, pg_sleep(0.05)", params: ["i": "\(i)"]),
                                                   environment: environment)
                        return Int(output.rows.first?["i"]?.number ?? 0)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(values.sorted() == Array(1...8))
            let connections = try await run(driver, sqlStep("conns", """
                SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = :name
                """, params: ["name": "inputs.name"]), inputs: ["name": .string(name)], environment: environment)
            #expect((connections.rows.first?["n"]?.number ?? 99) <= 2)
        }
    }

    @Test("timing: connect + first check, then a check on the warm connection")
    func timing() async throws {
        try await SQLDriver.withDriver(url: environment.databaseURL) { driver in
            let clock = ContinuousClock()
            let step = try sqlStep("rate", "SELECT round(100.0 * 3 / NULLIF(:n, 0), 2) AS error_rate", params: ["n": "40"])
            let t0 = clock.now
            _ = try await run(driver, step, environment: environment)
            let cold = clock.now - t0
            var warm: [Duration] = []
            for _ in 0..<20 {
                let t = clock.now
                _ = try await run(driver, step, environment: environment)
                warm.append(clock.now - t)
            }
            let median = warm.sorted()[warm.count / 2]
            print("SQL check timing (debug build): connect + first check \(cold); warm check median \(median) over \(warm.count)")
        }
    }
}
