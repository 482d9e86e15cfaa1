/// A reusable check applied by `use:`; its own expressions see its own `inputs`, bound by `with:`.
public struct UsedCheck: Sendable {
    /// The reusable check's id: `use: top-errors` reads `checks/top-errors.yaml`.
    public var checkID: String
    /// The check file's path, for diagnostics.
    public var path: String
    /// The check's own declared inputs.
    public var inputs: [InputSpec]
    /// `with:`: input name to an expression evaluated in the runbook's scope. Inputs not bound
    /// take their defaults.
    public var bindings: [String: Located<Expression>]
    /// A use of check `checkID`.
    public init(checkID: String, path: String, inputs: [InputSpec], bindings: [String: Located<Expression>]) {
        self.checkID = checkID
        self.path = path
        self.inputs = inputs
        self.bindings = bindings
    }
}
