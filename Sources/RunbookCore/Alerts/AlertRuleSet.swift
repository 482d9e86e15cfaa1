public import Foundation
import Yams

/// The alerting rules of a project's `alerts/` folder (`*.rules.yaml`, `*.rules.yml`).
///
/// Only what runbooks need is read (alert names, `annotations.runbook`, `labels.severity`);
/// Prometheus' own `promtool check rules` validates the rest. A file that is not YAML, or not
/// `groups: [{rules: [...]}]`, is a diagnostic.
public struct AlertRuleSet: Sendable {
    /// Every alerting rule, in file and rule order (recording rules are left out).
    public var rules: [AlertRule]
    /// Problems reading the files.
    public var diagnostics: [Diagnostic]
    /// The files read, relative paths as in diagnostics.
    public var files: [String]

    /// The rule named `name`, when one defines it.
    public func rule(named name: String) -> AlertRule? {
        rules.first { $0.name == name }
    }

    /// Reads every rules file of `directory`; an absent folder is an empty set.
    public static func load(directory: URL, relativePath: (URL) -> String) -> AlertRuleSet {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".rules.yaml") || $0.hasSuffix(".rules.yml") }.sorted()
        var set = AlertRuleSet(rules: [], diagnostics: [], files: [])
        for name in names {
            let url = directory.appendingPathComponent(name)
            let path = relativePath(url)
            set.files.append(path)
            switch SourceFile.read(url, path: path) {
            case .failure(let diagnostic): set.diagnostics.append(diagnostic)
            case .success(let file):
                let (rules, diagnostics) = parse(path: path, text: file.text)
                set.diagnostics += diagnostics
                for rule in rules {
                    if let twin = set.rule(named: rule.name) {
                        set.diagnostics.append(Diagnostic(rule.location, "alert '\(rule.name)' is defined twice (first at \(twin.location)); a trigger could not tell them apart"))
                    } else {
                        set.rules.append(rule)
                    }
                }
            }
        }
        return set
    }

    /// The alerting rules of one file's text.
    static func parse(path: String, text: String) -> ([AlertRule], [Diagnostic]) {
        let doc = YAMLDocument(path: path, text: text)
        guard let root = doc.root else {
            if doc.diagnostics.isEmpty { doc.error(nil, "empty rules file (Prometheus' format: groups: [{name, rules: [...]}])") }
            return ([], doc.diagnostics)
        }
        guard let groups = root.mapping?["groups"]?.sequence else {
            doc.error(root, "a rules file needs 'groups', a list of {name, rules}")
            return ([], doc.diagnostics)
        }
        var rules: [AlertRule] = []
        for group in groups {
            guard let list = group.mapping?["rules"]?.sequence else {
                doc.error(group, "a rule group needs 'rules', a list")
                continue
            }
            for node in list {
                guard let rule = node.mapping else {
                    doc.error(node, "a rule must be a mapping")
                    continue
                }
                guard let alertNode = rule["alert"] else { continue }  // a recording rule
                guard let name = alertNode.scalar?.string, !name.isEmpty else {
                    doc.error(alertNode, "'alert' must be the alert's name")
                    continue
                }
                rules.append(AlertRule(name: name,
                                       runbook: rule["annotations"]?.mapping?["runbook"]?.scalar?.string,
                                       severity: rule["labels"]?.mapping?["severity"]?.scalar?.string,
                                       location: doc.location(of: node)))
            }
        }
        return (rules, doc.diagnostics)
    }
}
