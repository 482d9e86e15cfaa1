/// Resolves `--input NAME=VALUE` pairs against a runbook's declared inputs: unknown names,
/// missing required inputs and values of the wrong type are errors (a usage error, exit 2),
/// each said once, all of them at once.
public enum InputResolver {
    /// Every problem found, in a stable order.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// One line per problem: unknown input (with a "did you mean"), given twice, wrong type,
        /// required but missing.
        public var problems: [String]
        /// The problems, one per line.
        public var description: String { problems.joined(separator: "\n") }
    }

    /// The inputs of a run: the given values parsed to their declared types, defaults for
    /// the rest.
    public static func resolve(_ pairs: [String], for runbook: Runbook) throws(Failure) -> [String: Value] {
        var given: [String: String] = [:]
        var problems: [String] = []
        for pair in pairs {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                problems.append("--input takes NAME=VALUE, got '\(pair)'")
                continue
            }
            let name = String(pair[..<eq])
            if given[name] != nil { problems.append("input '\(name)' is given twice") }
            given[name] = String(pair[pair.index(after: eq)...])
        }
        let known = runbook.inputs.map(\.name)
        for name in given.keys.sorted() where !known.contains(name) {
            problems.append("runbook '\(runbook.id)' has no input '\(name)'\(Suggest.didYouMean(name, in: known))"
                + (known.isEmpty ? " (it takes none)" : " (inputs: \(known.joined(separator: ", ")))"))
        }
        var values: [String: Value] = [:]
        for input in runbook.inputs {
            if let text = given[input.name] {
                switch input.parse(text) {
                case .success(let v): values[input.name] = v
                case .failure(let e): problems.append(e.description)
                }
            } else if let d = input.defaultValue {
                values[input.name] = d
            } else {
                problems.append("input '\(input.name)' is required: add --input \(input.name)=<\(input.kind.rawValue)>")
            }
        }
        if !problems.isEmpty { throw Failure(problems: problems) }
        return values
    }
}
