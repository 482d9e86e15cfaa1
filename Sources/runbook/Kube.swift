import ArgumentParser
import Foundation
import RunbookCore
import RunbookDrivers

/// `runbook kube restart|status|scale|top`: etl-core operated the Kubernetes way from the runbook
/// image, for an environment's named commands (environments/kubernetes.example.yaml):
/// `kubectl rollout restart`, `kubectl get` and `kubectl scale` through the apps/v1 API with
/// the pod's service account. Exit 0 done (status: every replica ready) · 1 the API refused ·
/// 2 usage or no Kubernetes configuration · 3 status: not every replica ready · 4 unreachable.
struct Kube: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kube",
        abstract: "Restart, scale or show a Kubernetes workload through the API, as an environment's service commands.",
        subcommands: [Restart.self, Status.self, Scale.self, Top.self])

    struct Target: ParsableArguments {
        @Argument(help: "The workload: deployment/NAME or statefulset/NAME.")
        var workload: String

        @Option(name: .customLong("namespace"), help: "Its namespace (default: $RUNBOOK_KUBE_NAMESPACE or the pod's).")
        var namespace: String?

        func client() throws -> KubernetesClient {
            do { return try KubernetesClient.fromEnvironment(ProcessInfo.processInfo.environment, namespace: namespace) } catch {
                throw CommandFailure(.usage, "error: runbook kube: \(error.message)")
            }
        }

        /// Runs `body`, mapping failures to the exit codes above; the token is never in a message.
        func perform<T>(_ client: KubernetesClient, _ body: () async throws -> T) async throws -> T {
            do {
                return try await body()
            } catch let refused as KubernetesClient.Refused {
                throw CommandFailure(.failed, "error: \(workload): the Kubernetes API answered \(refused.status): \(refused.excerpt)")
            } catch let error as DriverError {
                throw CommandFailure(.usage, "error: \(error.message)")
            } catch {
                throw CommandFailure(.unavailable, "error: \(workload): cannot reach the Kubernetes API at \(client.api): \(error)")
            }
        }
    }

    struct Restart: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "restart", abstract: "kubectl rollout restart: replace every pod, as the workload's rollout strategy says.")
        @OptionGroup var target: Target

        func run() async throws {
            let client = try target.client()
            let stamp = try await target.perform(client) { try await client.restart(target.workload) }
            print("\(target.workload) in \(client.namespace): restart requested at \(stamp) (the controller replaces the pods)")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "status", abstract: "Replicas desired, ready, up to date and available; exit 3 unless every one is ready.")
        @OptionGroup var target: Target

        func run() async throws {
            let client = try target.client()
            let s = try await target.perform(client) { try await client.status(target.workload) }
            print("\(target.workload) in \(client.namespace): \(s.ready)/\(s.desired) ready, \(s.updated) up to date, \(s.available) available")
            if !s.healthy { throw CommandFailure(.blocked) }
        }
    }

    struct Scale: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "scale", abstract: "kubectl scale: set the replicas (0 stops the service).")
        @OptionGroup var target: Target
        @Option(name: .customLong("replicas"), help: "How many replicas.")
        var replicas: Int

        func validate() throws {
            guard (0...100).contains(replicas) else { throw ValidationError("--replicas takes 0 to 100") }
        }

        func run() async throws {
            let client = try target.client()
            try await target.perform(client) { try await client.scale(target.workload, replicas: replicas) }
            print("\(target.workload) in \(client.namespace): scaled to \(replicas) replica\(replicas == 1 ? "" : "s")")
        }
    }

    /// `kubectl top pod -l <the workload's selector>`, as the resources check's JSON: where the
    /// runbook runs in a pod, `pgrep` only sees that pod; the metrics API sees etl-core's.
    struct Top: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "top",
            abstract: "CPU and memory of the workload's pods from the metrics API, as JSON (what checks/etl-core-resources prints).")
        @OptionGroup var target: Target

        func run() async throws {
            let client = try target.client()
            let pods = try await target.perform(client) { try await client.top(target.workload) }
            print(JSON.encode(KubernetesClient.resourcesReport(pods, workload: "\(target.workload) in \(client.namespace)")))
        }
    }
}
