/// Several diagnostics, thrown when a file cannot be used.
public struct DiagnosticsError: Error, Sendable, CustomStringConvertible {
    /// Every diagnostic found, errors and warnings.
    public var diagnostics: [Diagnostic]
    /// An error carrying `diagnostics`.
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    /// One diagnostic per line.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
