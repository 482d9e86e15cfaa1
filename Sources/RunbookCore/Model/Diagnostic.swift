/// A problem found in a runbook, check or environment file, printed as
/// `path:line:col: error: message` so editors and CI annotate the right line.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    /// `error` makes the file unusable (lint exits 2); `warning` is only said.
    public enum Severity: String, Sendable, Hashable { case error, warning }

    /// Where the problem is.
    public var location: SourceLocation
    /// Error or warning.
    public var severity: Severity
    /// What is wrong, ideally with a "did you mean".
    public var message: String

    /// A diagnostic; an error unless told otherwise.
    public init(_ location: SourceLocation, _ message: String, severity: Severity = .error) {
        self.location = location
        self.message = message
        self.severity = severity
    }

    /// `path:line:col: error: message`.
    public var description: String { "\(location): \(severity.rawValue): \(message)" }
}
