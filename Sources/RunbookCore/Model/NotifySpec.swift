/// `template: incident-update` (from `templates/`), rendered with the run's context.
public struct NotifySpec: Sendable {
    /// The template's name, read from `templates/<name>.md`, `.txt` or `<name>`.
    public var template: Located<String>
    /// `channel: log` (append to the environment's operational log) or `stdout`.
    public var channel: String
    /// A notify step's spec; `channel` defaults to `log`.
    public init(template: Located<String>, channel: String = "log") {
        self.template = template
        self.channel = channel
    }
}
