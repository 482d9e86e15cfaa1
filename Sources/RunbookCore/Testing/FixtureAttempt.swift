/// What one attempt of a step sees in a `runbook test` case: SQL rows, an HTTP answer, a
/// process's output, or a failure to run. Turned into the same `result` a real driver returns.
public enum FixtureAttempt: Sendable {
    /// An SQL step's rows (`rows:`, `row_count:` when more were counted than listed).
    case rows([Value], rowCount: Int?)
    /// An HTTP answer: `status:` (default 200), `body:` or `json:`, `headers:`.
    case http(status: Int, body: String, json: Value, headers: ValueObject)
    /// A process's `exit:` (default 0), `stdout:`, `stderr:`.
    case shell(exitCode: Int, stdout: String, stderr: String)
    /// The step could not run: `error: unreachable|timeout|refused|authentication|failed`.
    case failure(DriverError.Code, String)
    /// `{}`: what the command's kind answers when all is well (no rows, HTTP 200, exit 0).
    case empty

    /// The driver that would give this answer; nil for failures and `{}`, which suit any.
    public var kind: DriverKind? {
        switch self {
        case .rows: .sql
        case .http: .http
        case .shell: .shell
        case .failure, .empty: nil
        }
    }
}
