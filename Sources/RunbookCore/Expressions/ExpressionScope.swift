/// The names an expression can read: `inputs`, `env`, `steps`, `result`, `run`...
public struct ExpressionScope: Sendable {
    /// Root name to value: `inputs`, `env`, `steps`, `run`, and `result` inside a step.
    public var roots: [String: Value]

    /// A scope of `roots`.
    public init(_ roots: [String: Value] = [:]) { self.roots = roots }

    /// The value of `root`; nil when absent (reading an absent root is an evaluation error).
    public subscript(root: String) -> Value? {
        get { roots[root] }
        set { roots[root] = newValue }
    }
}
