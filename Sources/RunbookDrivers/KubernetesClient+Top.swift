import Foundation
import NIOHTTP1
public import RunbookCore

extension KubernetesClient {
    /// One pod of a workload as the metrics API sees it (`kubectl top pod`): usage summed over
    /// its containers, and the limits its spec sets (nil when a container has none).
    public struct PodUsage: Sendable, Equatable {
        public var name: String
        public var cpuMillicores: Double
        public var memoryBytes: Double
        public var cpuLimitMillicores: Double?
        public var memoryLimitBytes: Double?

        public init(name: String, cpuMillicores: Double, memoryBytes: Double, cpuLimitMillicores: Double?, memoryLimitBytes: Double?) {
            self.name = name
            self.cpuMillicores = cpuMillicores
            self.memoryBytes = memoryBytes
            self.cpuLimitMillicores = cpuLimitMillicores
            self.memoryLimitBytes = memoryLimitBytes
        }
    }

    /// The usage of every pod of `workload`: its selector's labels, the pods' usage from
    /// `metrics.k8s.io/v1beta1` (metrics-server) and their limits from `v1/pods`. What the
    /// resources check reads where the runbook runs in a pod of its own, where `pgrep` would
    /// only find the runbook's pod.
    public func top(_ workload: String) async throws -> [PodUsage] {
        let (path, shown) = try path(of: workload)
        let spec = try JSON.parse(try await send(.GET, path, body: nil, contentType: nil))
        guard let labels = spec["spec"]?["selector"]?["matchLabels"]?.objectValue, !labels.isEmpty else {
            throw DriverError(.configuration, "\(shown) in \(namespace) has no spec.selector.matchLabels to find its pods by")
        }
        let selector = labels.pairs.map { "\($0.key)=\($0.value.stringValue ?? "")" }.joined(separator: ",")
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+,/")
        let query = "labelSelector=" + (selector.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        let metrics = try JSON.parse(try await send(.GET, "/apis/metrics.k8s.io/v1beta1/namespaces/\(namespace)/pods?\(query)", body: nil, contentType: nil))
        let pods = try JSON.parse(try await send(.GET, "/api/v1/namespaces/\(namespace)/pods?\(query)", body: nil, contentType: nil))
        var limits: [String: (cpu: Double?, memory: Double?)] = [:]
        for pod in pods["items"]?.listValue ?? [] {
            guard let name = pod["metadata"]?["name"]?.stringValue else { continue }
            let containers = pod["spec"]?["containers"]?.listValue ?? []
            let cpu = containers.map { $0["resources"]?["limits"]?["cpu"]?.stringValue.flatMap(Self.millicores) }
            let memory = containers.map { $0["resources"]?["limits"]?["memory"]?.stringValue.flatMap(Self.bytes) }
            // A limit for the pod only when every container has one.
            limits[name] = (cpu.contains(nil) || cpu.isEmpty ? nil : cpu.compactMap { $0 }.reduce(0, +),
                            memory.contains(nil) || memory.isEmpty ? nil : memory.compactMap { $0 }.reduce(0, +))
        }
        return (metrics["items"]?.listValue ?? []).compactMap { item in
            guard let name = item["metadata"]?["name"]?.stringValue else { return nil }
            let containers = item["containers"]?.listValue ?? []
            let cpu = containers.compactMap { $0["usage"]?["cpu"]?.stringValue.flatMap(Self.millicores) }.reduce(0, +)
            let memory = containers.compactMap { $0["usage"]?["memory"]?.stringValue.flatMap(Self.bytes) }.reduce(0, +)
            return PodUsage(name: name, cpuMillicores: cpu, memoryBytes: memory, cpuLimitMillicores: limits[name]?.cpu,
                            memoryLimitBytes: limits[name]?.memory)
        }.sorted { $0.name < $1.name }
    }

    /// A CPU quantity in millicores: `250m`, `1`, `0.5`, `1500000n`, `1200u`.
    public static func millicores(_ text: String) -> Double? {
        let units: [(String, Double)] = [("n", 1e-6), ("u", 1e-3), ("m", 1)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            return Double(text.dropLast()).map { $0 * factor }
        }
        return Double(text).map { $0 * 1000 }
    }

    /// A memory quantity in bytes: `123456Ki`, `512Mi`, `1Gi`, `1G`, `500k`, `1048576`.
    public static func bytes(_ text: String) -> Double? {
        let units: [(String, Double)] = [("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776),
                                         ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * factor }
        }
        return Double(text)
    }

    /// The resources check's JSON (checks/etl-core-resources.yaml) for `pods`: one entry per
    /// pod; CPU in percent of one core, as for a process; memory in percent of the pod's limit
    /// (null without one: the container may grow until the node is short).
    public static func resourcesReport(_ pods: [PodUsage], workload: String) -> Value {
        func round1(_ x: Double) -> Value { .double((x * 10).rounded() / 10) }
        let list: [Value] = pods.map { p in
            .object([
                ("pod", .string(p.name)), ("cpu_percent", round1(p.cpuMillicores / 10)), ("cpu_millicores", round1(p.cpuMillicores)),
                ("cpu_limit_millicores", p.cpuLimitMillicores.map(round1) ?? .null),
                ("rss_mb", .int(Int(p.memoryBytes / Double(1 << 20)))),
                ("mem_percent", p.memoryLimitBytes.map { round1(100 * p.memoryBytes / $0) } ?? .null),
                ("memory_limit_mb", p.memoryLimitBytes.map { .int(Int($0 / Double(1 << 20))) } ?? .null),
            ])
        }
        let cpu = pods.map { $0.cpuMillicores / 10 }.max()
        let memory = pods.compactMap { p in p.memoryLimitBytes.map { 100 * p.memoryBytes / $0 } }.max()
        var fields: [(String, Value)] = [
            ("processes", .int(pods.count)), ("max_cpu_percent", cpu.map(round1) ?? .null), ("max_mem_percent", memory.map(round1) ?? .null),
            ("load1", .null), ("cores", .null), ("source", .string("metrics.k8s.io: \(workload)")),
        ]
        if pods.isEmpty { fields.append(("note", .string("no pod of \(workload) has metrics (scaled to 0, or metrics-server has none yet)"))) }
        fields.append(("list", .list(list)))
        return .object(ValueObject(fields))
    }
}
