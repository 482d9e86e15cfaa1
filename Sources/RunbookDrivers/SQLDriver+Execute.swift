import Crypto
import Foundation
import Logging
import PostgresNIO
import PostgresURLKit
public import RunbookCore

extension SQLDriver {
    /// What one statement gave back.
    struct Rows: Sendable {
        /// Kept rows (at most the cap), parsed.
        var rows: [Value] = []
        /// The same rows as PostgreSQL rendered them (`row_to_json` text), for the excerpt and
        /// digest: numeric keeps its exact text there.
        var texts: [String] = []
        var columns: [String] = []
        /// Rows returned or affected; nil when the command tag has no count (`ANALYZE`).
        var rowCount: Int?
        var truncated = false
        /// `SELECT 3`, `UPDATE 3`, `ANALYZE`...
        var tag = ""
    }

    public func execute(_ command: RenderedCommand, context: DriverContext) async throws -> DriverOutput {
        guard case .sql(let sql) = command else { throw DriverError("the sql driver got a \(command.kind.rawValue) command") }
        let step = context.stepID
        let url: PostgresURL
        do { url = try self.url.get() } catch {
            if context.environment.url(of: database) == nil {
                let hint = context.environment.unsetVariables[database.setting].map { ": set \($0)" } ?? ""
                throw DriverError(.configuration, "step '\(step)': environment '\(context.environment.name)' has no \(database.setting)\(hint)")
            }
            throw DriverError(error.code, "step '\(step)': \(error.message)")
        }
        let kind = SQLStatement.classify(sql.text)
        let maxRows = min(max(0, sql.maxRows), 10_000_000)
        let query = PostgresQuery(unsafeSQL: kind.wrap(sql.text, maxRows: maxRows), binds: SQLParameter.bindings(sql.binds))
        let timeoutMs = Self.statementTimeout(for: context.timeout)
        let readOnly = sql.readOnly
        let firstWord = SQLStatement.words(in: sql.text).first?.uppercased() ?? "SQL"
        let started = ContinuousClock.now
        let rows: Rows
        do {
            rows = try await withLease(step: step) { connection in
                try await withTaskCancellationHandler {
                    if !readOnly, SQLStatement.refusesTransaction(sql.text) {
                        try await Self.standalone(on: connection, statementTimeoutMs: timeoutMs) {
                            try await Self.run(query, kind: kind, firstWord: firstWord, maxRows: maxRows, on: connection)
                        }
                    } else {
                        try await Self.transaction(on: connection, readOnly: readOnly, statementTimeoutMs: timeoutMs) {
                            try await Self.run(query, kind: kind, firstWord: firstWord, maxRows: maxRows, on: connection)
                        }
                    }
                } onCancel: {
                    // PostgresNIO cannot cancel a running statement: closing the connection stops
                    // the wait at once, and the server rolls the transaction back.
                    Self.closeNow(connection)
                }
            }
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw Self.queryFailure(error, step: step, url: url, statementTimeoutMs: timeoutMs)
        }
        let elapsed = ContinuousClock.now - started
        return Self.output(rows, elapsed: elapsed)
    }

    /// `statement_timeout` for a step: a little under its timeout, so the server stops the
    /// statement (and the transaction is rolled back cleanly) before the executor gives up.
    static func statementTimeout(for timeout: Duration) -> Int64 {
        let total = max(1, timeout.milliseconds)
        return max(1, total - min(250, total / 10))
    }

    /// BEGIN (read-only for checks), the transaction's `statement_timeout`, `body`, then COMMIT only
    /// when `body` succeeded, else ROLLBACK. Each statement is sent on its own (the extended
    /// protocol takes one statement per query). A connection whose state cannot be restored is
    /// closed, so the pool never hands out a connection inside a transaction.
    static func transaction<R: Sendable>(
        on connection: PostgresConnection, readOnly: Bool, statementTimeoutMs: Int64, _ body: () async throws -> R
    ) async throws -> R {
        try await simple(readOnly ? "BEGIN TRANSACTION READ ONLY" : "BEGIN", on: connection)
        do {
            // The statement's limit, and (PostgreSQL 14+) a check every second that we are still
            // there: a statement whose client gave up (Ctrl-C, a step's deadline closed the
            // connection) is cancelled on the server instead of running on. One round trip.
            try await simple("""
                SELECT set_config('statement_timeout', '\(statementTimeoutMs)', true),
                       CASE WHEN current_setting('server_version_num')::int >= 140000
                            THEN set_config('client_connection_check_interval', '1000', true) END
                """, on: connection)
            let result = try await body()
            let tag = try await simple("COMMIT", on: connection)
            if tag != "COMMIT" { throw DriverError("the transaction was rolled back by the server (\(tag))") }
            return result
        } catch {
            if Task.isCancelled {
                try? await connection.close()
            } else {
                do { try await simple("ROLLBACK", on: connection) } catch { try? await connection.close() }
            }
            throw error
        }
    }

    /// An action PostgreSQL refuses inside a transaction (`CREATE INDEX CONCURRENTLY`, `VACUUM`):
    /// no `BEGIN`; the step's limit as the session's `statement_timeout` (and the PostgreSQL 14+
    /// liveness check), so the statement gives up on the server by the step's deadline; then both
    /// settings back to their defaults, so nothing outlives the step in the pool (a connection
    /// that cannot be reset is closed). A `CREATE INDEX CONCURRENTLY` stopped half-way leaves an
    /// INVALID index behind: the runbook must look for one (`pg_index.indisvalid`) and drop it
    /// before trying again.
    static func standalone<R: Sendable>(
        on connection: PostgresConnection, statementTimeoutMs: Int64, _ body: () async throws -> R
    ) async throws -> R {
        try await simple("""
            SELECT set_config('statement_timeout', '\(statementTimeoutMs)', false),
                   CASE WHEN current_setting('server_version_num')::int >= 140000
                        THEN set_config('client_connection_check_interval', '1000', false) END
            """, on: connection)
        let result: Result<R, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        if !Task.isCancelled {
            do {
                try await simple("""
                    SELECT set_config(name, reset_val, false) FROM pg_settings
                     WHERE name IN ('statement_timeout', 'client_connection_check_interval')
                    """, on: connection)
            } catch {
                try? await connection.close()
            }
        }
        return try result.get()
    }

    /// Runs a statement that returns no rows; returns its command tag.
    @discardableResult
    static func simple(_ sql: String, on connection: PostgresConnection) async throws -> String {
        let result = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: quietLogger).get()
        return tag(result.metadata)
    }

    /// Closes a connection without waiting (usable where nothing may be awaited).
    static func closeNow(_ connection: PostgresConnection) {
        let close: () -> Void = connection.close
        close()
    }

    static func tag(_ metadata: PostgresQueryMetadata) -> String {
        metadata.rows.map { "\(metadata.command) \($0)" } ?? metadata.command
    }

    /// Runs the step's statement and reads every row it returns (errors such as a statement
    /// timeout arrive only while rows are read).
    static func run(_ query: PostgresQuery, kind: SQLStatement, firstWord: String, maxRows: Int, on connection: PostgresConnection) async throws -> Rows {
        var out = Rows()
        switch kind {
        case .query, .returning:
            var count = 0
            for try await row in try await connection.query(query, logger: quietLogger) {
                count += 1
                guard count <= maxRows else { continue }
                let text = try row.decode(String.self)
                out.texts.append(text)
                // Exact decimals: a numeric keeps every digit and its scale.
                out.rows.append(try JSON.parse(text, exactDecimals: true))
            }
            out.truncated = count > maxRows
            out.rowCount = kind == .query ? out.rows.count : count
            out.tag = kind == .query ? "SELECT \(out.rows.count)" : "\(firstWord) \(count)"
            if case .object(let first)? = out.rows.first { out.columns = first.keys }
        case .command:
            let result = try await connection.query(query, logger: quietLogger).get()
            out.tag = tag(result.metadata)
            out.rowCount = result.metadata.rows ?? (result.rows.isEmpty ? nil : result.rows.count)
            if result.metadata.rows == nil, let last = out.tag.split(separator: " ").last, let n = Int(last), out.tag.hasPrefix("MERGE") {
                out.rowCount = n
            }
            for row in result.rows.prefix(maxRows) {
                var object = ValueObject()
                for cell in row { object[cell.columnName] = cellValue(cell) }
                out.rows.append(.object(object))
                out.texts.append(JSON.encode(.object(object)))
            }
            out.truncated = result.rows.count > maxRows
            if let first = result.rows.first { out.columns = first.map(\.columnName) }
        }
        return out
    }

    /// A cell of a statement that was not wrapped in `row_to_json` (SHOW, EXPLAIN, a modifying
    /// WITH): common types decoded, others named.
    static func cellValue(_ cell: PostgresCell) -> Value {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .bool: return (try? cell.decode(Bool.self)).map(Value.bool) ?? .null
        case .int2, .int4, .int8, .oid: return (try? cell.decode(Int.self)).map(Value.int) ?? .null
        case .float4, .float8: return (try? cell.decode(Double.self)).map(Value.double) ?? .null
        case .numeric: return numericValue(cell)
        case .json, .jsonb:
            guard let text = try? cell.decode(String.self) else { return .null }
            return (try? JSON.parse(text, exactDecimals: true)) ?? .string(text)
        case .text, .varchar, .bpchar, .name, .uuid:
            return (try? cell.decode(String.self)).map(Value.string) ?? .null
        default:
            if cell.format == .text, let text = try? cell.decode(String.self) { return .string(text) }
            return .string("<\(cell.dataType) value: select it to see it>")
        }
    }

    /// The step's result, excerpt and digest.
    static func output(_ rows: Rows, elapsed: Duration) -> DriverOutput {
        let result = Value.object([
            ("rows", .list(rows.rows)),
            ("row_count", rows.rowCount.map(Value.int) ?? .null),
            ("truncated", .bool(rows.truncated)),
            ("columns", .list(rows.columns.map(Value.string))),
            ("command", .string(rows.tag)),
            ("elapsed_ms", .int(Int(elapsed.milliseconds))),
        ])
        var lines = rows.texts.prefix(10).map { $0.count > 300 ? String($0.prefix(300)) + "…" : $0 }
        var summary = rows.tag
        if rows.texts.count > 10 { summary += ", first 10 shown" }
        if rows.truncated { summary += ", truncated at \(rows.rows.count) rows" }
        lines.append("(\(summary))")
        let rowsJSON = "[" + rows.texts.joined(separator: ",") + "]"
        let digest = Hex.sha256(Data((rows.texts.isEmpty ? rows.tag : rowsJSON).utf8))
        return DriverOutput(result: result, succeeded: true, excerpt: lines.joined(separator: "\n"), digest: digest)
    }
}
