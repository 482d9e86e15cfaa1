import RunbookCore

extension RenderedCommand {
    /// `shell`, `sql`, `http` or `notify`, for messages.
    var driverKind: String {
        switch self {
        case .shell: "shell"
        case .sql: "sql"
        case .http: "http"
        case .notify: "notify"
        }
    }
}
