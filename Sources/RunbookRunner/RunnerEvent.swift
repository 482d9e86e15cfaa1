import Foundation
import RunbookCore

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

    /// The NDJSON line, newline included (written directly: one per chunk a run prints, and
    /// Foundation's JSONSerialization was a visible part of a burst's CPU).
    public var line: String {
        switch self {
        case .out(let text): Self.line("out", .string(text))
        case .err(let text): Self.line("err", .string(text))
        case .junit(let xml): Self.line("junit", .string(xml))
        case .heartbeat: Self.line("hb", .int(1))
        case .value(let text): Self.line("value", .string(text))
        case .exit(let code): Self.line("exit", .int(Int(code)))
        }
    }

    /// `{"key":value}` and a newline (`key` is one of the fixed ASCII names above).
    private static func line(_ key: String, _ value: Value) -> String {
        "{\"\(key)\":\(JSON.encode(value))}\n"
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
