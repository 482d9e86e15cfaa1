import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
public import RunbookCore

/// Alertmanager's API v2, the calls a live repair makes (docs/alerts.md): create a silence
/// (`POST /api/v2/silences`), expire it (`DELETE /api/v2/silence/{id}`), and then ask whether
/// the alert it muted is still held (`GET /api/v2/alerts`). Each call is
/// bounded (``timeout``); every failure is an ``AlertmanagerError`` the caller records, since
/// Alertmanager unreachable never blocks a repair.
public struct AlertmanagerClient: Sendable {
    /// Alertmanager's base URL (`alertmanager.url`), without a trailing `/`.
    public let baseURL: String
    /// How long one call may take, connection included.
    public var timeout: Duration = .seconds(5)

    public init(baseURL: String) {
        self.baseURL = baseURL
    }

    /// Creates `silence`; its id.
    public func create(_ silence: AlertSilence) async throws(AlertmanagerError) -> String {
        let (status, body) = try await send(.POST, "/api/v2/silences", body: silence.body)
        guard status == 200 else { throw AlertmanagerError("POST /api/v2/silences answered \(status): \(Self.excerpt(body))") }
        guard let id = (try? JSON.parse(body))?["silenceID"]?.stringValue, UUID(uuidString: id) != nil else {
            throw AlertmanagerError("POST /api/v2/silences answered no silence id: \(Self.excerpt(body))")
        }
        return id
    }

    /// Expires silence `id` (a UUID: no other text reaches the URL).
    public func expire(_ id: String) async throws(AlertmanagerError) {
        guard let uuid = UUID(uuidString: id) else { throw AlertmanagerError("'\(id)' is not a silence id") }
        let (status, body) = try await send(.DELETE, "/api/v2/silence/\(uuid.uuidString.lowercased())", body: nil)
        guard status == 200 else { throw AlertmanagerError("DELETE /api/v2/silence/\(id) answered \(status): \(Self.excerpt(body))") }
    }

    /// Whether Alertmanager still holds an alert with exactly `labels` (firing, silenced,
    /// inhibited or not yet processed); false once it resolved (API v2 lists no alert whose
    /// `endsAt` passed). Each label is a `filter` matcher, percent-encoded and quoted, so no
    /// value changes the URL's shape or the matcher's.
    public func holds(labels: [String: String]) async throws(AlertmanagerError) -> Bool {
        let query = labels.sorted { $0.key < $1.key }.map { "filter=" + Self.percentEncoded(Self.matcher($0.key, $0.value)) }.joined(separator: "&")
        let (status, body) = try await send(.GET, "/api/v2/alerts" + (query.isEmpty ? "" : "?" + query), body: nil, limit: 1 << 22)
        guard status == 200 else { throw AlertmanagerError("GET /api/v2/alerts answered \(status): \(Self.excerpt(body))") }
        guard let alerts = (try? JSON.parse(body))?.listValue else {
            throw AlertmanagerError("GET /api/v2/alerts answered no list of alerts: \(Self.excerpt(body))")
        }
        return alerts.contains { alert in
            guard let pairs = alert["labels"]?.objectValue?.pairs else { return false }
            let held = Dictionary(pairs.compactMap { pair in pair.value.stringValue.map { (pair.key, $0) } }) { first, _ in first }
            return held == labels
        }
    }

    /// `name="value"`, the value escaped as Alertmanager's matcher syntax reads it.
    static func matcher(_ name: String, _ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return "\(name)=\"\(escaped)\""
    }

    /// Every byte but the unreserved ones (RFC 3986) percent-encoded.
    static func percentEncoded(_ text: String) -> String {
        var unreserved = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        unreserved.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    private func send(_ method: HTTPMethod, _ path: String, body: String?, limit: Int = 1 << 16) async throws(AlertmanagerError) -> (Int, String) {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .milliseconds(timeout.milliseconds))
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroup: DriverEventLoops.singleton.group, configuration: configuration)
        defer { Task { try? await client.shutdown() } }
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        do {
            let response = try await client.execute(request, timeout: .milliseconds(timeout.milliseconds))
            let bytes = try await response.body.collect(upTo: limit)
            return (Int(response.status.code), String(buffer: bytes))
        } catch {
            throw AlertmanagerError("\(baseURL) cannot be reached: \(error)")
        }
    }

    static func excerpt(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return line.count > 200 ? String(line.prefix(200)) + "…" : line
    }
}
