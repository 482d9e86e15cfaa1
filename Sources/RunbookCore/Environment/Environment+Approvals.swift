import Yams

extension ApprovalPolicy {
    /// The keys of `approvals:`.
    static let keys = ["low", "medium", "high", "approvers", "expires", "console"]

    /// Parses `approvals:` of an environment file, reporting each problem at its key; nil
    /// when it is not a mapping.
    static func parse(_ doc: YAMLDocument, _ node: Node) -> ApprovalPolicy? {
        guard let pairs = doc.mapping(node, allowed: keys, what: "'approvals'") else { return nil }
        var policy = ApprovalPolicy()
        for pair in pairs {
            switch pair.key {
            case "approvers":
                policy.approvers = doc.stringList(pair.value, key: "approvals.approvers") ?? []
            case "console":
                if let principal = doc.string(pair.value, key: "approvals.console"), !principal.isEmpty { policy.console = principal }
            case "expires":
                if let d = doc.duration(pair.value, key: "approvals.expires") {
                    if d > .zero { policy.expires = d } else { doc.error(pair.value, "'approvals.expires' must be longer than 0s") }
                }
            default:
                guard let risk = Step.Risk(rawValue: pair.key), let n = doc.int(pair.value, key: "approvals.\(pair.key)") else { continue }
                if (0...9).contains(n) { policy.required[risk] = n } else {
                    doc.error(pair.value, "'approvals.\(pair.key)' must be between 0 and 9 (distinct second persons), found \(n)")
                }
            }
        }
        return policy
    }
}
