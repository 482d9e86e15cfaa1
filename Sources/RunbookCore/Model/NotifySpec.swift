/// `template: incident-update` (from `templates/`), rendered with the run's context, and
/// `channel:`, where it goes.
public struct NotifySpec: Sendable {
    /// The template's name, read from `templates/<name>.md`, `.txt` or `<name>`.
    public var template: Located<String>
    /// `channel: incident` or `channel: [log, incident]`: channel names, resolved against the
    /// environment's `notify.channels` at run time. `log` (the environment's operational log)
    /// and `stdout` are built in; `log` is the default.
    public var channels: [Located<String>]
    /// A notify step's spec; `channels` defaults to `[log]`.
    public init(template: Located<String>, channels: [Located<String>] = []) {
        self.template = template
        self.channels = channels.isEmpty ? [Located("log", at: template.location)] : channels
    }
}
