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
