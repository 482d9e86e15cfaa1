import Foundation
import Yams

extension RunbookLoader {
    static let triggerKeys = FormatSchema.trigger.names

    /// `triggers:`, a list of `{alert, matchers, inputs}` (docs/alerts.md), checked as strictly
    /// as the rest of the file: names are Prometheus label names, inputs must be declared.
    func parseTriggers(_ doc: YAMLDocument, _ node: Node, inputs: [InputSpec]) -> [Trigger] {
        guard let seq = node.sequence else {
            doc.error(node, "'triggers' must be a list of {alert, matchers, inputs}, found \(doc.describe(node))")
            return []
        }
        var out: [Trigger] = []
        for item in seq {
            guard let pairs = doc.mapping(item, allowed: Self.triggerKeys, what: "trigger") else { continue }
            guard let alertNode = pairs.value("alert") else {
                doc.error(item, "trigger needs 'alert': the alert name of a rule in alerts/")
                continue
            }
            guard let alert = doc.string(alertNode, key: "alert") else { continue }
            guard Self.isAlertName(alert) else {
                doc.error(alertNode, "alert name '\(alert)' must be letters, digits, underscores and colons, not starting with a digit")
                continue
            }
            var trigger = Trigger(alert: alert, location: doc.location(of: item))
            if let matchersNode = pairs.value("matchers") {
                for (label, value, keyNode) in labelMap(doc, matchersNode, key: "matchers") {
                    if label == "alertname" {
                        doc.error(keyNode, "'alertname' is the trigger's 'alert'; do not repeat it in matchers")
                    } else {
                        trigger.matchers.append(.init(label: label, value: value))
                    }
                }
            }
            if let inputsNode = pairs.value("inputs") {
                let declared = inputs.map(\.name)
                for (input, label, keyNode) in labelMap(doc, inputsNode, key: "inputs") {
                    guard declared.contains(input) else {
                        doc.error(keyNode, "trigger input '\(input)' is not an input of this runbook\(Suggest.didYouMean(input, in: declared))")
                        continue
                    }
                    guard Self.isInputName(label) else {
                        doc.error(keyNode, "trigger input '\(input)' must name an alert label (letters, digits, underscores), found '\(label)'")
                        continue
                    }
                    trigger.inputs.append(.init(input: input, label: label))
                }
            }
            if let twin = out.first(where: { $0.alert == trigger.alert && $0.matchers == trigger.matchers }) {
                doc.error(at: trigger.location, "duplicate trigger for alert '\(alert)' with the same matchers (first at line \(twin.location.line))")
                continue
            }
            out.append(trigger)
        }
        return out
    }

    /// A mapping of label name to string, each key checked as a label name.
    private func labelMap(_ doc: YAMLDocument, _ node: Node, key: String) -> [(String, String, Node)] {
        guard let mapping = node.mapping else {
            doc.error(node, "'\(key)' must be a mapping of name to text, found \(doc.describe(node))")
            return []
        }
        var out: [(String, String, Node)] = []
        for (k, v) in mapping {
            guard let name = k.scalar?.string, Self.isInputName(name) else {
                doc.error(k, "'\(key)' keys must be names of letters, digits and underscores")
                continue
            }
            guard v.scalar != nil, let text = doc.string(v, key: "\(key).\(name)") else {
                if v.scalar == nil { doc.error(v, "'\(key).\(name)' must be text, found \(doc.describe(v))") }
                continue
            }
            out.append((name, text, k))
        }
        return out
    }

    /// Prometheus' metric names, `[a-zA-Z_:][a-zA-Z0-9_:]*`, as alert names are written in
    /// rules (label names are ``isInputName(_:)``'s grammar, without the colon).
    static func isAlertName(_ name: String) -> Bool {
        !name.isEmpty && isInputName(name.replacingOccurrences(of: ":", with: "_"))
    }
}
