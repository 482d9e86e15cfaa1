public import Foundation
import Yams

/// The escalation ladder (`escalation.yaml` beside `runbooks/`), kept in one file rather than
/// in each runbook: who is called at each level, from how many minutes into an incident.
public struct Escalation: Sendable {
    /// One rung of the ladder.
    public struct Level: Sendable {
        /// Its number (1, 2...), as `run.escalation.level` and the ladder text (`Nível 2`) show it.
        public var level: Int
        /// `from_minutes`: minutes into the incident from which this level is in force.
        public var fromMinutes: Int
        /// Who is called at this level (a role or a name).
        public var who: String
        /// How to reach them (phones, handles); joined with `, ` in `run.escalation.contacts`.
        public var contacts: [String]
    }

    /// The levels, sorted by ``Level/fromMinutes``.
    public var levels: [Level]
    /// Always-on contacts (the 24/7 on-call phone).
    public var onCall: [String]

    /// A ladder; `levels` are sorted by ``Level/fromMinutes``.
    public init(levels: [Level], onCall: [String] = []) {
        self.levels = levels.sorted { $0.fromMinutes < $1.fromMinutes }
        self.onCall = onCall
    }

    /// The level in force `minutes` into an incident: the last one started by then, or the
    /// first level when none has started yet; nil only when the ladder is empty.
    public func level(at minutes: Int) -> Level? {
        levels.last { $0.fromMinutes <= minutes } ?? levels.first
    }

    /// `run.escalation`: level, who, contacts, minutes, and the whole ladder as text.
    public func value(minutes: Int) -> Value {
        guard let current = level(at: minutes) else { return .null }
        let ladder = levels.map { l in
            let next = levels.first { $0.fromMinutes > l.fromMinutes }
            let range = next.map { "\(l.fromMinutes)-\($0.fromMinutes) min" } ?? "\(l.fromMinutes)+ min"
            return "\(l.level == current.level ? "→" : " ") Nível \(l.level) (\(range)): \(l.who) — \(l.contacts.joined(separator: ", "))"
        }.joined(separator: "\n")
        return .object([
            ("level", .int(current.level)), ("who", .string(current.who)),
            ("contacts", .string(current.contacts.joined(separator: ", "))),
            ("on_call", .string(onCall.joined(separator: ", "))),
            ("minutes", .int(minutes)), ("ladder", .string(ladder)),
        ])
    }

    /// Reads `escalation.yaml` under `home`; nil when there is none. Malformed is a diagnostic.
    public static func load(home: URL) throws(DiagnosticsError) -> Escalation? {
        let url = home.appendingPathComponent("escalation.yaml")
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        let doc = YAMLDocument(path: "escalation.yaml", text: String(decoding: data, as: UTF8.self))
        guard let root = doc.root, let pairs = doc.mapping(root, allowed: ["levels", "on_call"], what: "escalation") else {
            throw DiagnosticsError(doc.diagnostics.isEmpty ? [Diagnostic(SourceLocation(path: "escalation.yaml", line: 1, column: 1), "escalation.yaml must be a mapping")] : doc.diagnostics)
        }
        var levels: [Level] = []
        var onCall: [String] = []
        for pair in pairs {
            if pair.key == "on_call" { onCall = doc.stringList(pair.value, key: "on_call") ?? [] }
            if pair.key == "levels" {
                guard let seq = pair.value.sequence else {
                    doc.error(pair.value, "'levels' must be a list")
                    continue
                }
                for item in seq {
                    guard let fields = doc.mapping(item, allowed: ["level", "from_minutes", "who", "contacts"], what: "escalation level") else { continue }
                    func node(_ k: String) -> Node? { fields.first { $0.key == k }?.value }
                    guard let level = node("level").flatMap({ doc.int($0, key: "level") }),
                          let from = node("from_minutes").flatMap({ doc.int($0, key: "from_minutes") }),
                          let who = node("who").flatMap({ doc.string($0, key: "who") })
                    else {
                        doc.error(item, "an escalation level needs level, from_minutes and who")
                        continue
                    }
                    levels.append(Level(level: level, fromMinutes: from, who: who, contacts: node("contacts").flatMap { doc.stringList($0, key: "contacts") } ?? []))
                }
            }
        }
        if !doc.diagnostics.isEmpty { throw DiagnosticsError(doc.diagnostics) }
        return Escalation(levels: levels, onCall: onCall)
    }
}
