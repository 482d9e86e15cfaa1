import Foundation
import Testing

/// `runbook kube` against a real local HTTP server standing in for the Kubernetes API (a
/// Python stub started by the test: it checks the bearer token, records each request and
/// answers as apps/v1 does).
extension CLITests {
    /// The stub API: its URL, and the file where it records requests (one JSON object a line).
    func kubeStub(usage: String = "{}") throws -> (process: Process, url: String, log: String) {
        let log = home.appendingPathComponent("kube-requests.jsonl").path
        let script = #"""
            import http.server, json, sys, urllib.parse
            log = sys.argv[1]
            state = {"replicas": 2, "ready": 2}
            usage = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
            class H(http.server.BaseHTTPRequestHandler):
                def log_message(self, *a): pass
                def answer(self, code, body):
                    data = json.dumps(body).encode()
                    self.send_response(code); self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
                def handle_any(self):
                    n = int(self.headers.get("Content-Length") or 0)
                    body = self.rfile.read(n).decode() if n else ""
                    with open(log, "a") as f:
                        f.write(json.dumps({"method": self.command, "path": self.path, "auth": self.headers.get("Authorization"),
                                            "type": self.headers.get("Content-Type"), "body": body}) + "\n")
                    if self.headers.get("Authorization") != "Bearer s3cr3t-sa-token":
                        return self.answer(401, {"kind": "Status", "message": "Unauthorized", "code": 401})
                    base = "/apis/apps/v1/namespaces/etl/deployments/etl-core"
                    path, _, query = self.path.partition("?")
                    chosen = urllib.parse.parse_qs(query).get("labelSelector") == ["app=etl-core"]
                    if path == "/apis/metrics.k8s.io/v1beta1/namespaces/etl/pods" and self.command == "GET":
                        return self.answer(200, {"kind": "PodMetricsList", "items": [
                            {"metadata": {"name": n}, "containers": [{"name": "etl-core", "usage": {"cpu": u["cpu"], "memory": u["memory"]}}]}
                            for n, u in usage.items()] if chosen else []})
                    if path == "/api/v1/namespaces/etl/pods" and self.command == "GET":
                        return self.answer(200, {"kind": "PodList", "items": [
                            {"metadata": {"name": n}, "spec": {"containers": [{"name": "etl-core", "resources": {"limits": {"memory": u["limit"]}}}]}}
                            for n, u in usage.items()] if chosen else []})
                    if self.path == base + "/scale" and self.command == "PATCH":
                        state["replicas"] = json.loads(body)["spec"]["replicas"]; state["ready"] = state["replicas"]
                        return self.answer(200, {"kind": "Scale", "spec": {"replicas": state["replicas"]}})
                    if self.path == base and self.command in ("GET", "PATCH"):
                        return self.answer(200, {"kind": "Deployment", "spec": {"replicas": state["replicas"], "selector": {"matchLabels": {"app": "etl-core"}}},
                                                 "status": {"readyReplicas": state["ready"], "updatedReplicas": state["ready"], "availableReplicas": state["ready"]}})
                    self.answer(404, {"kind": "Status", "message": "deployments.apps \"%s\" not found" % self.path.rsplit("/", 1)[-1], "code": 404})
                do_GET = do_PATCH = handle_any
            server = http.server.HTTPServer(("127.0.0.1", 0), H)
            print(server.server_port, flush=True)
            server.serve_forever()
            """#
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, log, usage]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var port = ""
        while !port.hasSuffix("\n") {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty { break }
            port += String(decoding: byte, as: UTF8.self)
        }
        return (process, "http://127.0.0.1:\(port.trimmingCharacters(in: .whitespacesAndNewlines))", log)
    }

    func kubeRequests(_ log: String) -> [[String: Any]] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func kubeRestartsStatusesAndScalesTheKubernetesWay() throws {
        let stub = try kubeStub()
        defer { stub.process.killAndReap() }
        write("sa-token", "s3cr3t-sa-token\n")
        let env = ["RUNBOOK_KUBE_API": stub.url, "RUNBOOK_KUBE_TOKEN_FILE": home.appendingPathComponent("sa-token").path, "RUNBOOK_KUBE_NAMESPACE": "etl"]
        func kube(_ args: [String], _ extra: [String: String] = [:]) throws -> Output {
            collect(try launch(["kube"] + args, environment: env.merging(extra) { $1 }))
        }

        var out = try kube(["restart", "deployment/etl-core"])
        #expect(out.code == 0, "\(out.stderr)")
        #expect(out.stdout.contains("deployment/etl-core in etl: restart requested at "), "\(out.stdout)")
        var request = try #require(kubeRequests(stub.log).last)
        #expect(request["method"] as? String == "PATCH")
        #expect(request["path"] as? String == "/apis/apps/v1/namespaces/etl/deployments/etl-core")
        #expect(request["type"] as? String == "application/strategic-merge-patch+json")
        let patch = try #require(try JSONSerialization.jsonObject(with: Data((request["body"] as? String ?? "").utf8)) as? [String: Any])
        let annotations = ((patch["spec"] as? [String: Any])?["template"] as? [String: Any])?["metadata"] as? [String: Any]
        #expect((annotations?["annotations"] as? [String: Any])?["kubectl.kubernetes.io/restartedAt"] is String, "\(patch)")

        out = try kube(["status", "deployment/etl-core"])
        #expect(out.code == 0, "\(out.stderr)")
        #expect(out.stdout.contains("deployment/etl-core in etl: 2/2 ready, 2 up to date, 2 available"), "\(out.stdout)")

        out = try kube(["scale", "deployment/etl-core", "--replicas", "0"])
        #expect(out.code == 0, "\(out.stderr)")
        request = try #require(kubeRequests(stub.log).last)
        #expect(request["path"] as? String == "/apis/apps/v1/namespaces/etl/deployments/etl-core/scale")
        #expect(request["type"] as? String == "application/merge-patch+json")
        #expect(request["body"] as? String == #"{"spec":{"replicas":0}}"#)
        // Stopped: status exits 3, as systemctl status does for a stopped service.
        out = try kube(["status", "deploy/etl-core"])
        #expect(out.code == 3, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.contains("0/0 ready"))
        #expect(try kube(["scale", "deployment/etl-core", "--replicas", "1"]).code == 0)
        #expect(kubeRequests(stub.log).allSatisfy { $0["auth"] as? String == "Bearer s3cr3t-sa-token" })
    }

    @Test func kubeRefusalsSayWhyAndNeverShowTheToken() throws {
        let stub = try kubeStub()
        defer { stub.process.killAndReap() }
        write("wrong-token", "not-the-token\n")
        let env = ["RUNBOOK_KUBE_API": stub.url, "RUNBOOK_KUBE_TOKEN_FILE": home.appendingPathComponent("wrong-token").path, "RUNBOOK_KUBE_NAMESPACE": "etl"]
        var out = collect(try launch(["kube", "restart", "deployment/etl-core"], environment: env))
        #expect(out.code == 1, "\(out.stderr)")
        #expect(out.stderr.contains("the Kubernetes API answered 401"), "\(out.stderr)")
        #expect(!out.stderr.contains("not-the-token") && !out.stdout.contains("not-the-token"))
        // A hostile workload name never reaches the URL.
        out = collect(try launch(["kube", "restart", "deployment/etl-core/../../secrets"], environment: env))
        #expect(out.code == 2, "\(out.stderr)")
        out = collect(try launch(["kube", "restart", "deployment/.."], environment: env))
        #expect(out.code == 2)
        out = collect(try launch(["kube", "restart", "pod/etl-core"], environment: env))
        #expect(out.code == 2)
        #expect(kubeRequests(stub.log).count == 1, "only the refused restart reached the API")
        // No API at all: unreachable, exit 4.
        out = collect(try launch(["kube", "status", "deployment/etl-core"], environment: env.merging(["RUNBOOK_KUBE_API": "http://127.0.0.1:1"]) { $1 }))
        #expect(out.code == 4, "\(out.stderr)")
        // Not in a pod and nothing configured: exit 2.
        out = collect(try launch(["kube", "status", "deployment/etl-core"], environment: ["RUNBOOK_KUBE_API": "", "KUBERNETES_SERVICE_HOST": ""]))
        #expect(out.code == 2)
        #expect(out.stderr.contains("not in a Kubernetes pod"), "\(out.stderr)")
    }

    /// Where the runbook runs in a pod of its own, the resources check reads etl-core's pods
    /// from the metrics API (the environment's `kubernetes.workload`), never `pgrep` in its own
    /// pod: two pods by the deployment's selector, CPU in percent of a core, memory of the limit.
    @Test func resourcesCheckReadsTheWorkloadsPodsOnKubernetes() throws {
        try FileManager.default.createDirectory(at: home.appendingPathComponent("checks"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: home.appendingPathComponent("environments"), withIntermediateDirectories: true)
        let shared = try String(contentsOf: CLITests.packageRoot.appendingPathComponent("checks/etl-core-resources.yaml"), encoding: .utf8)
        write("checks/etl-core-resources.yaml", shared)
        write("runbooks/resources.yaml", """
            runbook: resources
            title: Recursos
            steps:
              - check: resources
                use: etl-core-resources
            """)
        write("environments/kube.yaml", "environment: kube\nkubernetes: {workload: deployment/etl-core}\n")
        write("sa-token", "s3cr3t-sa-token\n")
        func run(_ usage: String) throws -> (code: Int32, status: String, json: [String: Any]) {
            let stub = try kubeStub(usage: usage)
            defer { stub.process.killAndReap() }
            let env = ["RUNBOOK_KUBE_API": stub.url, "RUNBOOK_KUBE_TOKEN_FILE": home.appendingPathComponent("sa-token").path,
                       "RUNBOOK_KUBE_NAMESPACE": "etl",
                       "PATH": URL(fileURLWithPath: CLITests.binary).deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "")]
            let out = collect(try launch(["run", "resources", "--env", "kube", "--dry-run", "--format", "json"], environment: env))
            let report = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any] ?? [:]
            let step = (report["steps"] as? [[String: Any]])?.first ?? [:]
            let stdout = (step["result"] as? [String: Any])?["stdout"] as? String ?? ""
            let json = (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:]
            return (out.code, step["status"] as? String ?? "\(out.stdout)\(out.stderr)", json)
        }
        let calm = try run(#"{"etl-core-7d9f-a": {"cpu": "120m", "memory": "100Mi", "limit": "512Mi"}, "etl-core-7d9f-b": {"cpu": "250000000n", "memory": "128Mi", "limit": "512Mi"}}"#)
        #expect(calm.status == "green", "\(calm)")
        #expect(calm.json["processes"] as? Int == 2, "\(calm.json)")
        #expect((calm.json["source"] as? String)?.hasPrefix("metrics.k8s.io") == true, "\(calm.json)")
        #expect(DiagnosisOnly.number(calm.json["max_cpu_percent"]) == 25, "250000000n is a quarter of a core: \(calm.json)")
        #expect(DiagnosisOnly.number(calm.json["max_mem_percent"]) == 25, "128Mi of 512Mi: \(calm.json)")
        let pods = (calm.json["list"] as? [[String: Any]])?.compactMap { $0["pod"] as? String }
        #expect(pods == ["etl-core-7d9f-a", "etl-core-7d9f-b"], "\(calm.json)")
        let full = try run(#"{"etl-core-7d9f-a": {"cpu": "900m", "memory": "470Mi", "limit": "512Mi"}}"#)
        #expect(full.status == "red", "470Mi of a 512Mi limit is 91.8 %: \(full)")
        #expect(full.code == 1)
        let none = try run("{}")
        #expect(none.status == "red", "no pod has metrics: \(none)")
        #expect(none.json["processes"] as? Int == 0, "\(none.json)")
    }
}

