/// Where a run says what it says: `out` is what `runbook run` prints on standard output (the
/// text report, or the JSON report), `err` what it prints on standard error (refusals,
/// warnings). The CLI writes them to its streams; the runner streams them to the operator.
public struct RunOutput: Sendable {
    /// Standard output: text exactly as printed (its own newlines).
    public var out: @Sendable (String) -> Void
    /// Standard error: text exactly as printed (its own newlines).
    public var err: @Sendable (String) -> Void

    public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void) {
        self.out = out
        self.err = err
    }

    /// One line on standard error (`error: ...`, `warning: ...`).
    public func line(_ text: String) { err(text + "\n") }
}
