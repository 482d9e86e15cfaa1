import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL
public import RunbookCore

/// What an environment's named commands call to operate etl-core on Kubernetes the Kubernetes
/// way (`runbook kube restart|status|scale`), from the runbook image itself: the apps/v1 API
/// with the pod's service account, as `kubectl rollout restart` and `kubectl scale` do, with
/// no kubectl in the image and no client/server version skew.
///
/// In a pod: `KUBERNETES_SERVICE_HOST`/`_PORT`, the service account's token, CA and namespace
/// under /var/run/secrets/kubernetes.io/serviceaccount. Elsewhere (or in tests):
/// `RUNBOOK_KUBE_API` (URL), `RUNBOOK_KUBE_TOKEN_FILE`, `RUNBOOK_KUBE_CA_FILE`,
/// `RUNBOOK_KUBE_NAMESPACE`. The token is never printed.
public struct KubernetesClient: Sendable {
    /// The API server, e.g. `https://10.0.0.1:443`.
    public var api: String
    /// The bearer token (the service account's).
    var token: String
    /// The CA bundle that signs the API server's certificate; nil for the system's roots.
    public var caFile: String?
    /// The namespace of the workload.
    public var namespace: String

    static let serviceAccount = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The client the process environment describes, or why there is none (exit 2).
    public static func fromEnvironment(_ env: [String: String], namespace flag: String?) throws(DriverError) -> KubernetesClient {
        let api: String
        if let url = env["RUNBOOK_KUBE_API"], !url.isEmpty {
            api = url
        } else if let host = env["KUBERNETES_SERVICE_HOST"], !host.isEmpty {
            let port = env["KUBERNETES_SERVICE_PORT"].flatMap { $0.isEmpty ? nil : $0 } ?? "443"
            api = "https://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        } else {
            throw DriverError(.configuration, "not in a Kubernetes pod (no KUBERNETES_SERVICE_HOST) and no RUNBOOK_KUBE_API")
        }
        let tokenFile = env["RUNBOOK_KUBE_TOKEN_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(serviceAccount)/token"
        guard let tokenData = FileManager.default.contents(atPath: tokenFile),
              let token = String(data: tokenData, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty
        else {
            throw DriverError(.configuration, "cannot read the service account token at \(tokenFile)")
        }
        let caFile = env["RUNBOOK_KUBE_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (FileManager.default.fileExists(atPath: "\(serviceAccount)/ca.crt") ? "\(serviceAccount)/ca.crt" : nil)
        let namespace = flag ?? env["RUNBOOK_KUBE_NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (FileManager.default.contents(atPath: "\(serviceAccount)/namespace").flatMap { String(data: $0, encoding: .utf8) }?
                .trimmingCharacters(in: .whitespacesAndNewlines)) ?? "default"
        guard Self.isName(namespace) else { throw DriverError(.configuration, "'\(namespace)' is not a Kubernetes namespace name") }
        return KubernetesClient(api: api, token: token, caFile: caFile, namespace: namespace)
    }

    /// A client from its parts.
    public init(api: String, token: String, caFile: String?, namespace: String) {
        self.api = api.hasSuffix("/") ? String(api.dropLast()) : api
        self.token = token
        self.caFile = caFile
        self.namespace = namespace
    }

    /// A DNS-1123 name (namespaces, deployments): lower-case letters, digits, '-' and '.',
    /// starting and ending with a letter or digit (so never `.` or `..`), at most 253 characters.
    public static func isName(_ name: String) -> Bool {
        func alphanumeric(_ c: Character?) -> Bool { c.map { $0.isASCII && ($0.isLowercase || $0.isNumber) } ?? false }
        return name.count <= 253 && alphanumeric(name.first) && alphanumeric(name.last)
            && name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" || $0 == "." }
    }

    /// `deployment/NAME` (or `deploy/NAME`, `statefulset/NAME`, `sts/NAME`): the apps/v1 path.
    public func path(of workload: String) throws(DriverError) -> (path: String, shown: String) {
        let parts = workload.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, Self.isName(parts[1]) else {
            throw DriverError(.configuration, "name a workload as deployment/NAME or statefulset/NAME, got '\(workload)'")
        }
        let kind: String
        switch parts[0] {
        case "deployment", "deploy", "deployments": kind = "deployments"
        case "statefulset", "sts", "statefulsets": kind = "statefulsets"
        default: throw DriverError(.configuration, "'\(parts[0])' is not a workload kind runbook kube handles (deployment, statefulset)")
        }
        return ("/apis/apps/v1/namespaces/\(namespace)/\(kind)/\(parts[1])", "\(kind.dropLast())/\(parts[1])")
    }

    /// The workload's replicas: desired, ready, updated, available.
    public struct Status: Sendable, Equatable {
        public var desired: Int
        public var ready: Int
        public var updated: Int
        public var available: Int
        /// Every desired replica ready and available, and at least one.
        public var healthy: Bool { desired > 0 && ready >= desired && available >= desired }
    }

    /// An answer other than 2xx: its status and a short excerpt of the body.
    public struct Refused: Error, Sendable {
        public var status: Int
        public var excerpt: String
    }

    /// `kubectl rollout restart`: a new pod template annotation, so the controller replaces
    /// every pod (rolling, as the workload's strategy says). Returns the restart's time stamp.
    public func restart(_ workload: String, at time: Date = Date()) async throws -> String {
        let (path, _) = try path(of: workload)
        let stamp = AuditLog.timestamp(time)
        let annotations = Value.object(ValueObject([("kubectl.kubernetes.io/restartedAt", .string(stamp))]))
        let template = Value.object(ValueObject([("metadata", .object(ValueObject([("annotations", annotations)])))]))
        let body = JSON.encode(.object(ValueObject([("spec", .object(ValueObject([("template", template)])))])))
        _ = try await send(.PATCH, path, body: body, contentType: "application/strategic-merge-patch+json")
        return stamp
    }

    /// `kubectl scale --replicas N` (0 stops the service, 1 starts it again).
    public func scale(_ workload: String, replicas: Int) async throws {
        let (path, _) = try path(of: workload)
        let spec = Value.object(ValueObject([("replicas", .int(replicas))]))
        let body = JSON.encode(.object(ValueObject([("spec", spec)])))
        _ = try await send(.PATCH, path + "/scale", body: body, contentType: "application/merge-patch+json")
    }

    /// The workload's replica counts (`kubectl get deployment`).
    public func status(_ workload: String) async throws -> Status {
        let (path, _) = try path(of: workload)
        let json = try JSON.parse(try await send(.GET, path, body: nil, contentType: nil))
        func int(_ section: String, _ key: String) -> Int {
            if case .int(let n)? = json[section]?[key] { return n }
            return 0
        }
        return Status(desired: int("spec", "replicas"), ready: int("status", "readyReplicas"),
                      updated: int("status", "updatedReplicas"), available: int("status", "availableReplicas"))
    }

    func send(_ method: HTTPMethod, _ path: String, body: String?, contentType: String?) async throws -> String {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        if let caFile {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(caFile)
            configuration.tlsConfiguration = tls
        }
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            var request = HTTPClientRequest(url: api + path)
            request.method = method
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Accept", value: "application/json")
            request.headers.add(name: "User-Agent", value: "runbook-kube")
            if let body, let contentType {
                request.headers.add(name: "Content-Type", value: contentType)
                request.body = .bytes(ByteBuffer(string: body))
            }
            let response = try await client.execute(request, timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: 4 << 20)
            let text = String(buffer: bytes)
            try await client.shutdown()
            guard (200..<300).contains(Int(response.status.code)) else {
                throw Refused(status: Int(response.status.code), excerpt: String(text.prefix(300)))
            }
            return text
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
