public import Foundation
import Yams

extension Environment {
    /// `notify.channels`, by name, as the file declares them (values expanded). The built-in
    /// `log` and `stdout` are not in it: ``notifyChannel(named:home:)`` resolves those.
    public var notifyChannels: [String: NotifyChannel] {
        guard let channels = values["notify"]?["channels"]?.objectValue else { return [:] }
        var out: [String: NotifyChannel] = [:]
        for (name, spec) in channels.pairs {
            if let channel = Self.channel(name: name, spec) { out[name] = channel }
        }
        return out
    }

    /// The channel a notify step names: one of ``notifyChannels``, or the built-in `log`
    /// (a file channel on `notify.log`; standard output when the environment has none) or
    /// `stdout`. In an environment without `notify.channels`, any other name is `log` too (as
    /// before channels existed). Nil when the environment declares channels but not this one.
    /// Relative paths resolve in `home`.
    public func notifyChannel(named name: String, home: URL) -> NotifyChannel? {
        if var channel = notifyChannels[name] {
            if channel.kind == .file, let path = channel.path, !path.isEmpty, !path.hasPrefix("/") {
                channel.path = home.appendingPathComponent(path).path
            }
            return channel
        }
        switch name {
        case "log":
            guard let log = values["notify"]?["log"]?.stringValue, !log.isEmpty else { return NotifyChannel(name: "log", kind: .stdout) }
            return NotifyChannel(name: "log", kind: .file, path: log.hasPrefix("/") ? log : home.appendingPathComponent(log).path)
        case "stdout":
            return NotifyChannel(name: "stdout", kind: .stdout)
        default:
            // An environment that names no channels at all keeps the behaviour from before
            // channels: every message goes to its operational log.
            guard values["notify"]?["channels"] == nil else { return nil }
            return notifyChannel(named: "log", home: home)
        }
    }

    /// The channel names the environment knows, built-in ones included (for "did you mean").
    public var notifyChannelNames: [String] { NotifyChannel.builtInNames + notifyChannels.keys.sorted() }

    /// What a run must refuse before it starts: a channel named by a notify step that the
    /// environment does not declare. One message per name, naming the file and the key
    /// (`environments/production.yaml: notify.channels has no channel 'incident' ...`).
    public func missingNotifyChannels(in runbook: Runbook) -> [String] {
        var problems: [String] = []
        var seen = Set<String>()
        for step in runbook.steps {
            guard case .notify(let spec) = step.driver else { continue }
            for name in spec.channels where !seen.contains(name.value) {
                seen.insert(name.value)
                if notifyChannel(named: name.value, home: URL(fileURLWithPath: "/")) == nil {
                    problems.append("\(path ?? "environments/\(self.name).yaml"): notify.channels has no channel '\(name.value)'"
                        + " (used by step '\(step.id)' of \(runbook.path))\(Suggest.didYouMean(name.value, in: notifyChannelNames))")
                }
            }
        }
        return problems
    }

    static func channel(name: String, _ spec: Value) -> NotifyChannel? {
        guard let type = spec["type"]?.stringValue, let kind = NotifyChannel.Kind(rawValue: type) else { return nil }
        func string(_ key: String) -> String? { spec[key]?.stringValue.map { $0.trimmingCharacters(in: .whitespaces) } }
        var channel = NotifyChannel(name: name, kind: kind, url: string("url"), secret: spec["secret"]?.stringValue, path: string("path"))
        if let t = spec["timeout"] {
            if case .int(let seconds) = t { channel.timeout = .seconds(seconds) } else { channel.timeout = t.stringValue.flatMap(DurationText.parse) }
        }
        if kind == .email {
            let to: [String]
            switch spec["to"] ?? .null {
            case .list(let items): to = items.compactMap(\.stringValue)
            case .string(let s): to = [s]
            default: to = []
            }
            var port = 587
            if case .int(let p)? = spec["port"] { port = p } else if let p = string("port").flatMap({ Int($0) }) { port = p }
            channel.email = .init(host: string("host") ?? "", port: port, from: string("from") ?? "", to: to,
                                  username: string("username").flatMap { $0.isEmpty ? nil : $0 },
                                  password: spec["password"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
                                  requireTLS: string("tls") == "required")
        }
        return channel
    }

    /// Keys a channel may have, by type.
    static let channelKeys: [NotifyChannel.Kind: [String]] = [
        .slack: ["url"], .teams: ["url"], .webhook: ["url", "secret"],
        .email: ["host", "port", "from", "to", "username", "password", "tls"], .file: ["path"], .stdout: [],
    ]

    /// Checks the shape of `notify:` (`log`, `channels`) with locations; `expanded` is the
    /// expanded `notify` value, where URLs are checked once their variables are known.
    static func validateNotify(_ doc: YAMLDocument, _ node: Node, expanded: Value?) {
        guard let pairs = doc.mapping(node, allowed: ["log", "channels"], what: "notify") else { return }
        for pair in pairs where pair.key == "log" { _ = doc.string(pair.value, key: "notify.log") }
        guard let channels = pairs.first(where: { $0.key == "channels" }) else { return }
        guard let mapping = channels.value.mapping else {
            doc.error(channels.value, "'notify.channels' must be a mapping of channel name to {type: ..., ...}, found \(doc.describe(channels.value))")
            return
        }
        for (k, v) in mapping {
            guard let name = k.scalar?.string else { continue }
            if NotifyChannel.builtInNames.contains(name) {
                doc.error(k, "'\(name)' is a built-in channel (\(NotifyChannel.builtInNames.joined(separator: " and "))); give this channel another name")
            } else if !NotifyChannel.isValidName(name) {
                doc.error(k, "channel name '\(name)' must be a lower-case letter followed by letters, digits, '-' or '_'")
            }
            let what = "notify.channels.\(name)"
            let allKeys = ["type", "timeout"] + Set(channelKeys.values.flatMap { $0 }).sorted()
            guard let fields = doc.mapping(v, allowed: allKeys, what: what) else { continue }
            guard let typeNode = fields.first(where: { $0.key == "type" })?.value else {
                doc.error(v, "\(what) needs a type: one of \(NotifyChannel.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                continue
            }
            guard let type = doc.string(typeNode, key: "\(what).type") else { continue }
            guard let kind = NotifyChannel.Kind(rawValue: type) else {
                let kinds = NotifyChannel.Kind.allCases.map(\.rawValue)
                doc.error(typeNode, "\(what).type must be one of \(kinds.joined(separator: ", ")), found '\(type)'\(Suggest.didYouMean(type, in: kinds))")
                continue
            }
            let allowed = channelKeys[kind] ?? []
            for field in fields where !["type", "timeout"].contains(field.key) && !allowed.contains(field.key) {
                doc.error(field.keyNode, "'\(field.key)' does not apply to a \(type) channel (\(what) may have: \((["type", "timeout"] + allowed).joined(separator: ", ")))")
            }
            for field in fields {
                switch field.key {
                case "timeout": _ = doc.duration(field.value, key: "\(what).timeout")
                case "port": _ = doc.int(field.value, key: "\(what).port")
                case "to": _ = doc.stringList(field.value, key: "\(what).to")
                case "tls":
                    if let t = doc.string(field.value, key: "\(what).tls"), !["starttls", "required"].contains(t) {
                        doc.error(field.value, "\(what).tls must be starttls (use it when offered, the default) or required")
                    }
                case "type": break
                default: _ = doc.string(field.value, key: "\(what).\(field.key)")
                }
            }
            let required: [String] = switch kind {
            case .slack, .teams: ["url"]
            case .webhook: ["url", "secret"]
            case .email: ["host", "from", "to"]
            case .file: ["path"]
            case .stdout: []
            }
            for key in required where !fields.contains(where: { $0.key == key }) {
                doc.error(v, "a \(type) channel needs '\(key)' (\(what).\(key))")
            }
            // Checked once expanded; the message never shows the URL (it is a secret).
            if let url = expanded?["channels"]?[name]?["url"]?.stringValue, !url.isEmpty, let node = fields.first(where: { $0.key == "url" })?.value {
                let scheme = URLComponents(string: url)?.scheme?.lowercased()
                if scheme != "http" && scheme != "https" || URLComponents(string: url)?.host?.isEmpty != false {
                    doc.error(node, "\(what).url must be an http(s) URL (its value is not shown: it is a secret)")
                }
            }
        }
    }
}
