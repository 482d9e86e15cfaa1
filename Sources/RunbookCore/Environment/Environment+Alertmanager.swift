import Foundation
import Yams

/// `alertmanager:`: where the environment's Alertmanager answers (docs/alerts.md). A live run
/// linked to an incident whose alert fired silences that alert there while it repairs.
///
/// ```yaml
/// alertmanager: {url: "${ALERTMANAGER_URL}", max_silence: 1h}
/// ```
///
/// `url` is Alertmanager's base URL (API v2 under it; empty: none). `max_silence` bounds each
/// silence (default 1h): it ends at the run's time limit or then, whichever comes first, so a
/// run that dies without expiring it leaves the alert silent no longer than that.
extension Environment {
    /// The keys `alertmanager:` may have.
    static let alertmanagerKeys = ["url", "max_silence"]
    /// A silence lasts at most this long without `max_silence`.
    public static let defaultMaxSilence = Duration.seconds(3600)

    /// `alertmanager.url` without a trailing `/`; nil when missing or empty.
    public var alertmanagerURL: String? {
        guard let url = values["alertmanager"]?["url"]?.stringValue, !url.isEmpty else { return nil }
        return url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// `alertmanager.max_silence` (default ``defaultMaxSilence``).
    public var maxSilence: Duration {
        values["alertmanager"]?["max_silence"]?.stringValue.flatMap(DurationText.parse) ?? Self.defaultMaxSilence
    }

    /// Checks `alertmanager:`: a mapping of `url` (http or https once expanded) and
    /// `max_silence` (a duration of at least 1m).
    static func validateAlertmanager(_ doc: YAMLDocument, _ node: Node, expanded: Value?) {
        guard let pairs = doc.mapping(node, allowed: alertmanagerKeys, what: "alertmanager") else { return }
        for pair in pairs {
            switch pair.key {
            case "url":
                guard doc.string(pair.value, key: "alertmanager.url") != nil, let url = expanded?["url"]?.stringValue, !url.isEmpty else { continue }
                guard let parts = URLComponents(string: url), ["http", "https"].contains(parts.scheme ?? ""), parts.host?.isEmpty == false,
                      parts.query == nil, parts.fragment == nil
                else {
                    doc.error(pair.value, "alertmanager.url must be an http or https URL such as http://alertmanager:9093")
                    continue
                }
            default:
                if let d = doc.duration(pair.value, key: "alertmanager.max_silence"), d < .seconds(60) {
                    doc.error(pair.value, "alertmanager.max_silence must be at least 1m")
                }
            }
        }
    }
}
