/// The head of an audit log's chain, signed by an operator's key: "at `time`, record `seq` of
/// the log whose first record hashes to `source` hashed to `hash`, and `previous` was the
/// checkpoint before this one". Written at the end of every run made with a key and by
/// `runbook audit checkpoint`, kept next to the log (`<log>.checkpoints`, see
/// ``CheckpointFile``) and in the team's ledger.
///
/// A checkpoint makes two things detectable that the hash chain alone cannot: records cut
/// from the end of the log (the log ends before a signed seq), and a log rewritten from some
/// record on with a freshly computed chain (the signed hash no longer matches). What it
/// proves is said in `docs/identity.md`.
///
/// The signed bytes are ``signedText``, one fixed text form; the JSON of ``fields`` is how a
/// checkpoint is stored, and any change to a stored field makes the signature fail.
public struct Checkpoint: Sendable, Hashable {
    /// The version of ``signedText``.
    public static let version = 1
    /// `previous` of the first checkpoint of a log: 64 zeros.
    public static let genesis = String(repeating: "0", count: 64)

    /// SHA-256 (hex) of the log's first record, as written: which log this checkpoint is of.
    public var source: String
    /// The seq of the chain head it covers.
    public var seq: Int
    /// SHA-256 (hex) of that record's line, as written (the `prev` the next record carries).
    public var hash: String
    /// ``digest`` of the checkpoint before it in the same file, or ``genesis``.
    public var previous: String
    /// Who signed it: the principal proved by the key, or the operator name when the
    /// environment names no allowed signers.
    public var principal: String
    /// The run it closes; nil for `runbook audit checkpoint`.
    public var runID: String?
    /// When it was made (UTC, ISO 8601 with milliseconds, as the log's `ts`).
    public var time: String
    /// The armored SSH signature (`-----BEGIN SSH SIGNATURE-----`...) of ``signedText`` in
    /// namespace `runbook`; empty before it is signed.
    public var signature: String

    /// A checkpoint from its fields.
    public init(source: String, seq: Int, hash: String, previous: String, principal: String, runID: String?, time: String, signature: String = "") {
        self.source = source
        self.seq = seq
        self.hash = hash
        self.previous = previous
        self.principal = principal
        self.runID = runID
        self.time = time
        self.signature = signature
    }

    /// The exact bytes that are signed (UTF-8 of this text): one `name: value` line per field,
    /// in a fixed order, after a first line naming the format.
    public var signedText: String {
        """
        runbook checkpoint v\(Self.version)
        source: \(source)
        seq: \(seq)
        hash: \(hash)
        previous: \(previous)
        principal: \(principal)
        run: \(runID ?? "-")
        time: \(time)

        """
    }

    /// SHA-256 (hex) of ``signedText``: what the next checkpoint's `previous` holds.
    public var digest: String { Hex.sha256(Array(signedText.utf8)) }

    /// The stored form, in order: `v`, `source`, `seq`, `hash`, `previous`, `principal`,
    /// `run_id` (null for none), `time`, `signature`. The ledger stores the same fields.
    public var fields: [(String, Value)] {
        [("v", .int(Self.version)), ("source", .string(source)), ("seq", .int(seq)), ("hash", .string(hash)),
         ("previous", .string(previous)), ("principal", .string(principal)), ("run_id", runID.map(Value.string) ?? .null),
         ("time", .string(time)), ("signature", .string(signature))]
    }

    /// One JSON line (no newline): the sidecar file's record.
    public var json: String { JSON.encode(.object(ValueObject(fields))) }

    /// Parses ``json``; throws a message saying what is wrong with the line.
    public static func parse(json line: String) throws(CheckpointError) -> Checkpoint {
        guard let object = (try? JSON.parse(line))?.objectValue else { throw CheckpointError("not a JSON object") }
        guard object["v"] == .int(version) else { throw CheckpointError("unknown checkpoint version \(object["v"].map { JSON.encode($0) } ?? "(none)")") }
        func text(_ key: String) throws(CheckpointError) -> String {
            guard let value = object[key]?.stringValue else { throw CheckpointError("'\(key)' is missing or not a string") }
            return value
        }
        guard case .int(let seq)? = object["seq"], seq >= 0 else { throw CheckpointError("'seq' is missing or not a whole number") }
        let runID: String?
        switch object["run_id"] {
        case .string(let id)?: runID = id
        case .null?, nil: runID = nil
        default: throw CheckpointError("'run_id' is not a string")
        }
        let checkpoint = Checkpoint(source: try text("source"), seq: seq, hash: try text("hash"), previous: try text("previous"),
                                    principal: try text("principal"), runID: runID, time: try text("time"), signature: try text("signature"))
        if let problem = checkpoint.problem { throw CheckpointError(problem) }
        return checkpoint
    }

    /// What makes the fields unusable in ``signedText`` (a digest that is not 64 hex digits,
    /// a line break in a name); nil when they are fine.
    public var problem: String? {
        for (name, value) in [("source", source), ("hash", hash), ("previous", previous)] where !Self.isDigest(value) {
            return "'\(name)' is not a SHA-256 in hex"
        }
        for (name, value) in [("principal", principal), ("run_id", runID ?? "-"), ("time", time)] {
            if value.isEmpty || value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
                return "'\(name)' is empty or holds a control character"
            }
        }
        return nil
    }

    static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }
}
