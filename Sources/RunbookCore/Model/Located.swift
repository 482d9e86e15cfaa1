/// A value with the place in the file it came from.
public struct Located<T: Sendable>: Sendable {
    /// The value.
    public var value: T
    /// Where it starts in its file (`path:line:col`).
    public var location: SourceLocation
    /// `value`, read at `location`.
    public init(_ value: T, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}
