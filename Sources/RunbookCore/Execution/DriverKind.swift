/// The four kinds of driver a step can use; the executor's registry is keyed by it.
public enum DriverKind: String, Sendable, Hashable, CaseIterable {
    /// `shell:` (and `command:`), `sql:`, `http:` and `template:` (notify) steps.
    case shell, sql, http, notify
}

extension DriverSpec {
    /// Which driver performs this step.
    public var kind: DriverKind {
        switch self {
        case .shell: .shell
        case .sql: .sql
        case .http: .http
        case .notify: .notify
        }
    }
}

extension RenderedCommand {
    /// Which driver performs this command.
    public var kind: DriverKind {
        switch self {
        case .shell: .shell
        case .sql: .sql
        case .http: .http
        case .notify: .notify
        }
    }
}
