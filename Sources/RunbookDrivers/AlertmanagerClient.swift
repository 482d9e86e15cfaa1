import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
public import RunbookCore

/// Alertmanager's API v2, the two calls a live repair makes (docs/alerts.md): create a silence
/// (`POST /api/v2/silences`) and expire it (`DELETE /api/v2/silence/{id}`). Each call is
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

    private func send(_ method: HTTPMethod, _ path: String, body: String?) async throws(AlertmanagerError) -> (Int, String) {
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
            let bytes = try await response.body.collect(upTo: 1 << 16)
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
