import Foundation

/// One line of a run streamed back by the runner (NDJSON: one JSON object per line): what the
/// run prints on standard output or error, exactly; the JUnit report when asked; a heartbeat
/// (so a client gone is noticed while a step runs); and last, the exit code.
public enum RunnerEvent: Sendable, Equatable {
    case out(String)
    case err(String)
    case junit(String)
    case heartbeat
    case value(String)
    case exit(Int32)

    /// The NDJSON line, newline included.
    public var line: String {
        switch self {
        case .out(let text): Self.jsonLine(["out": text])
        case .err(let text): Self.jsonLine(["err": text])
        case .junit(let xml): Self.jsonLine(["junit": xml])
        case .heartbeat: Self.jsonLine(["hb": 1])
        case .value(let text): Self.jsonLine(["value": text])
        case .exit(let code): Self.jsonLine(["exit": Int(code)])
        }
    }

    /// `object` as one line of JSON, newline included.
    static func jsonLine(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Decodes one line; nil for one this client does not know (ignored: a newer runner may say more).
    public init?(line: some StringProtocol) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
        if let text = object["out"] as? String {
            self = .out(text)
        } else if let text = object["err"] as? String {
            self = .err(text)
        } else if let xml = object["junit"] as? String {
            self = .junit(xml)
        } else if let text = object["value"] as? String {
            self = .value(text)
        } else if let code = object["exit"] as? Int, let c = Int32(exactly: code) {
            self = .exit(c)
        } else if object["hb"] != nil {
            self = .heartbeat
        } else {
            return nil
        }
    }
}
