import RunbookCore

/// What an approvals card shows above its buttons, the same for every viewer: the request's row,
/// where it stands, how many approvals count, and the decisions with whether each signature
/// verifies. An equal head renders equal HTML (``RunbookLedger/KeptByRequest``).
struct CardHead: Equatable, Sendable {
    var request: ApprovalRequest
    var standing: String
    var have: Int
    var decisions: [ApprovalDecision]
    var verified: [Bool]

    init(request: ApprovalRequest, standing: String, have: Int, decisions: [ApprovalTally.Checked]) {
        self.request = request
        self.standing = standing
        self.have = have
        self.decisions = decisions.map(\.decision)
        self.verified = decisions.map(\.verified)
    }
}
