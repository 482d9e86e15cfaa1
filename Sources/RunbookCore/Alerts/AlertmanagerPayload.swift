public import Foundation

/// The body Alertmanager's webhook receiver posts (payload `version: "4"`, Alertmanager 0.x):
/// one notification of one alert group.
///
/// ```json
/// {"version": "4", "groupKey": "{}:{alertname=\"EtlHighErrorRate\"}", "status": "firing",
///  "receiver": "runbook", "groupLabels": {...}, "commonLabels": {...}, "commonAnnotations": {...},
///  "externalURL": "http://alertmanager:9093", "truncatedAlerts": 0,
///  "alerts": [{"status": "firing", "labels": {...}, "annotations": {...},
///              "startsAt": "2026-12-07T03:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
///              "generatorURL": "...", "fingerprint": "c4b3..."}]}
/// ```
public struct AlertmanagerPayload: Sendable, Decodable {
    /// One alert of the group.
    public struct Alert: Sendable, Decodable {
        /// `firing` or `resolved`.
        public var status: String
        public var labels: [String: String]
        public var annotations: [String: String]
        /// When it started firing (as Alertmanager sends it, RFC 3339).
        public var startsAt: String
        public var endsAt: String?
        public var generatorURL: String?
        /// Alertmanager's hash of the labels: the alert's identity.
        public var fingerprint: String

        /// `labels.alertname`.
        public var name: String { labels["alertname"] ?? "" }
    }

    public var version: String
    /// Alertmanager's key of the group (route and group labels): the incident's identity.
    public var groupKey: String
    /// `firing` while any alert of the group fires, else `resolved`.
    public var status: String
    public var receiver: String
    public var groupLabels: [String: String]
    public var commonLabels: [String: String]
    public var commonAnnotations: [String: String]
    public var externalURL: String
    public var alerts: [Alert]
    /// Alerts left out by the receiver's `max_alerts`.
    public var truncatedAlerts: Int?

    /// Why a body is refused (400).
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The payload in `data`, checked: version 4, a group key, statuses and fingerprints
    /// Alertmanager would send.
    public static func decode(_ data: Data) throws(Refusal) -> AlertmanagerPayload {
        let payload: AlertmanagerPayload
        do { payload = try JSONDecoder().decode(AlertmanagerPayload.self, from: data) } catch {
            throw Refusal(description: "the body is not Alertmanager's webhook JSON: \(Self.describe(error))")
        }
        guard payload.version == "4" else {
            throw Refusal(description: "payload version '\(payload.version)' is not supported (Alertmanager's webhook sends version 4)")
        }
        guard !payload.groupKey.isEmpty else { throw Refusal(description: "groupKey is empty") }
        guard !payload.alerts.isEmpty else { throw Refusal(description: "the notification has no alerts") }
        for alert in payload.alerts {
            guard alert.status == "firing" || alert.status == "resolved" else {
                throw Refusal(description: "alert status '\(alert.status)' is neither firing nor resolved")
            }
            guard !alert.name.isEmpty else { throw Refusal(description: "an alert has no alertname label") }
            guard !alert.fingerprint.isEmpty, alert.fingerprint.count <= 64, alert.fingerprint.allSatisfy(\.isHexDigit) else {
                throw Refusal(description: "alert \(alert.name) has no valid fingerprint")
            }
        }
        return payload
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            "missing '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        default:
            "malformed JSON"
        }
    }
}
