import Crypto
import Foundation

/// The key that binds a runbook's **secret inputs** into an approval's plan digest, without
/// revealing them: the plan carries `hmac-sha256:<hex>` of the secret values (canonical JSON,
/// keys sorted) keyed with it, so a resume with another secret changes the digest and voids
/// the approval, while the ledger, the approver and the output see only the keyed hash (a
/// plain hash of a short secret could be guessed offline; a keyed one cannot without the key).
///
/// The enforcing process holds it (the runner; on a laptop, whoever runs): a file named by
/// `RUNBOOK_PLAN_KEY_FILE`, at least 32 bytes (`head -c 32 /dev/urandom > plan.key`). Without
/// a key, an action of a runbook with secret inputs cannot be four-eyes approved.
public struct PlanKey: Sendable {
    /// The variable that names the key file.
    public static let variable = "RUNBOOK_PLAN_KEY_FILE"
    /// The fewest bytes a key file may hold.
    public static let minimumBytes = 32

    let bytes: [UInt8]

    /// A key of these bytes.
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// The key `RUNBOOK_PLAN_KEY_FILE` names; nil when the variable is unset or empty. Throws a
    /// readable message when the file cannot be read or is too short.
    public static func load(processEnvironment: [String: String]) throws(PlanKeyError) -> PlanKey? {
        guard let path = processEnvironment[variable], !path.isEmpty else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PlanKeyError("\(variable): cannot read \(path)")
        }
        guard data.count >= minimumBytes else {
            throw PlanKeyError("\(variable): \(path) holds \(data.count) bytes; a plan key needs at least \(minimumBytes) (head -c 32 /dev/urandom > \(path))")
        }
        return PlanKey(bytes: Array(data))
    }

    /// `hmac-sha256:<hex>` of `values` (each secret input's name and value, null when unset)
    /// as compact JSON with sorted keys.
    public func bind(_ values: [String: Value]) -> String {
        let document = ApprovalPlan.canonical(.object(ValueObject(values)))
        let mac = HMAC<SHA256>.authenticationCode(for: Array(JSON.encode(document).utf8), using: SymmetricKey(data: bytes))
        return "hmac-sha256:" + Hex.encode(mac)
    }
}
