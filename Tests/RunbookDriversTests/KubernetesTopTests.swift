import Testing
@testable import RunbookCore
@testable import RunbookDrivers

/// Kubernetes quantities as metrics-server and pod specs write them, and the resources
/// check's JSON built from them.
@Suite("runbook kube top: quantities and the report")
struct KubernetesTopTests {
    @Test(arguments: [("250m", 250.0), ("1", 1000.0), ("0.5", 500.0), ("1500000n", 1.5), ("1200u", 1.2), ("2", 2000.0)] as [(String, Double)])
    func cpu(text: String, millicores: Double) {
        #expect(KubernetesClient.millicores(text) == millicores)
    }

    @Test(arguments: [("123456Ki", 126_418_944.0), ("512Mi", 536_870_912.0), ("1Gi", 1_073_741_824.0), ("1G", 1e9),
                      ("500k", 5e5), ("1048576", 1_048_576.0)] as [(String, Double)])
    func memory(text: String, bytes: Double) {
        #expect(KubernetesClient.bytes(text) == bytes)
    }

    @Test func nonsenseIsNoQuantity() {
        #expect(KubernetesClient.millicores("lots") == nil)
        #expect(KubernetesClient.bytes("12Xi") == nil)
    }

    @Test func reportHasTheChecksShape() {
        let pods = [
            KubernetesClient.PodUsage(name: "a", cpuMillicores: 850, memoryBytes: 300 * 1048576, cpuLimitMillicores: 1000, memoryLimitBytes: 512 * 1048576),
            KubernetesClient.PodUsage(name: "b", cpuMillicores: 100, memoryBytes: 900 * 1048576, cpuLimitMillicores: nil, memoryLimitBytes: nil),
        ]
        let report = KubernetesClient.resourcesReport(pods, workload: "deployment/etl-core in etl")
        #expect(report["processes"] == .int(2))
        #expect(report["max_cpu_percent"] == .double(85))
        #expect(report["max_mem_percent"] == .double(58.6), "only a pod with a limit has a memory percentage")
        #expect(report["list"]?.listValue?[1]["mem_percent"] == .null)
        let empty = KubernetesClient.resourcesReport([], workload: "deployment/etl-core in etl")
        #expect(empty["processes"] == .int(0))
        #expect(empty["max_cpu_percent"] == .null)
        #expect(empty["note"]?.stringValue?.contains("no pod") == true)
    }
}
