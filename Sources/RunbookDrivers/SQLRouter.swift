public import RunbookCore

/// The `sql` driver of a run: each statement goes to the database its step names
/// (`database:`), the ETL database's driver or the ledger's. The ledger's connects only when a
/// check reads it.
public struct SQLRouter: StepDriver {
    /// Drivers by database.
    let drivers: [SQLDatabase: SQLDriver]

    /// A router over `etl` and `ledger`.
    public init(etl: SQLDriver, ledger: SQLDriver) { drivers = [.etl: etl, .ledger: ledger] }

    public func execute(_ command: RenderedCommand, context: DriverContext) async throws -> DriverOutput {
        guard case .sql(let sql) = command, let driver = drivers[sql.database] else {
            throw DriverError("the sql driver got a \(command.kind.rawValue) command")
        }
        return try await driver.execute(command, context: context)
    }
}
