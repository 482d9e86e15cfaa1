/// A place in a file: 1-based line and column.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The file, as shown in diagnostics (relative to the current directory when below it).
    public var path: String
    /// Line, from 1.
    public var line: Int
    /// Column, from 1, in characters.
    public var column: Int

    /// A location.
    public init(path: String, line: Int, column: Int) {
        self.path = path
        self.line = line
        self.column = column
    }

    /// `path:line:col`, the form editors and CI jump to.
    public var description: String { "\(path):\(line):\(column)" }

    /// The same place `columns` characters to the right: a position inside an expression that
    /// starts here.
    public func offset(by columns: Int) -> SourceLocation {
        SourceLocation(path: path, line: line, column: column + columns)
    }

    /// File order: path, then line, then column.
    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.path, a.line, a.column) < (b.path, b.line, b.column)
    }
}

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

/// Several diagnostics, thrown when a file cannot be used.
public struct DiagnosticsError: Error, Sendable, CustomStringConvertible {
    /// Every diagnostic found, errors and warnings.
    public var diagnostics: [Diagnostic]
    /// An error carrying `diagnostics`.
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    /// One diagnostic per line.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
