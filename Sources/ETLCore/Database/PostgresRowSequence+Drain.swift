import PostgresNIO

extension PostgresRowSequence {
    /// Reads every row, discarding them. PostgresNIO reports a statement's errors only while
    /// its rows are read, so every statement whose rows we do not need is drained.
    func drain() async throws {
        for try await _ in self {}
    }

    /// The first column of the first row as text, or `nil` when there is no row.
    func firstString() async throws -> String? {
        var result: String?
        for try await value in self.decode(String?.self) where result == nil {
            result = value
        }
        return result
    }

    /// The first column of the first row as an integer (0 when there is no row or it is NULL).
    func firstInt() async throws -> Int {
        var result: Int?
        for try await value in self.decode(Int?.self) where result == nil {
            result = value ?? 0
        }
        return result ?? 0
    }

    /// Reads every row; throws `error` when there was none (an `UPDATE ... RETURNING` whose
    /// guard matched nothing).
    func requireRow(orThrow error: some Error) async throws {
        var rows = 0
        for try await _ in self { rows += 1 }
        if rows == 0 { throw error }
    }
}
