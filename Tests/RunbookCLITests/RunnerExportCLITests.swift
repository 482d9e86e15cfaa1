import Foundation
import Testing

/// `runbook runner export`, through the binary: a systemd service that `systemd-analyze verify`
/// accepts, a Deployment, Service and PodDisruptionBudget that validate against the Kubernetes
/// 1.31 schema (kubernetes-validate, installed by scripts/test), and credentials only ever
/// referenced: the values of the environment's variables, set where the export runs, are in
/// no file written.
extension CLITests {
    /// The secret values the export's process holds; none may reach a file.
    static let exportSecrets = ["ETL_DATABASE_URL": "postgres://writer:pw-8c1f0e2a@db.internal/etl",
                                "ETL_API_TOKEN": "tok-5d7e9a3b1c", "RUNBOOK_LEDGER_URL": "postgres://ledger:pw-77ab21cd@db.internal/ledger"]

    /// An environment `prod` as the runner's home has it: write credentials from variables, a
    /// ledger, identity, approvals.
    func runnerProject() {
        write("environments/prod.yaml", """
            environment: prod
            database: {url: "${ETL_DATABASE_URL}"}
            api: {url: "https://etl.internal", token: "${ETL_API_TOKEN}"}
            ledger: {url: "${RUNBOOK_LEDGER_URL}"}
            identity: {allowed_signers: allowed_signers}
            approvals: {high: 1, approvers: [alice, bob]}
            runner: {principal: runner}
            secrets: [ETL_DATABASE_URL, ETL_API_TOKEN, RUNBOOK_LEDGER_URL]
            """)
        write("allowed_signers", "")
    }

    /// `runbook runner export ARGS` with the secrets set in its environment.
    func exportRunner(_ args: [String]) throws -> Output {
        let process = try launch(["runner", "export"] + args, environment: Self.exportSecrets)
        return collect(process)
    }

    func expectNoSecret(_ text: String, _ file: String) {
        for (name, value) in Self.exportSecrets {
            #expect(!text.contains(value), "\(file) holds the value of \(name)")
        }
    }

    @Test func runnerServiceVerifiesAndIsHardened() throws {
        runnerProject()
        let units = home.appendingPathComponent("units").path
        let out = try exportRunner(["--env", "prod", "--systemd", units, "--binary", CLITests.binary, "--project", home.path,
                                    "--writable", home.appendingPathComponent("backup").path])
        #expect(out.code == 0, "\(out.stderr)")
        let file = "\(units)/runbook-runner-prod.service"
        let service = try String(contentsOfFile: file, encoding: .utf8)
        for line in ["User=runbook-runner", "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "Restart=on-failure",
                     "EnvironmentFile=/etc/runbook/runner-prod.env", "LoadCredential=signing-key:/etc/runbook/runner-prod.key",
                     "CapabilityBoundingSet=", "ReadWritePaths=\(home.path)/backup",
                     "ExecStart=\(CLITests.binary) runner --dir \(home.path) --env prod --listen 127.0.0.1:8089 --key %d/signing-key --state /var/lib/runbook-runner"] {
            #expect(service.contains("\n\(line)\n"), "missing \(line)")
        }
        // The variables the secrets file must define are named, their values are not.
        #expect(service.contains("ETL_API_TOKEN, ETL_DATABASE_URL, RUNBOOK_LEDGER_URL"), "\(service)")
        expectNoSecret(service, file)
        expectNoSecret(out.stdout + out.stderr, "the export's output")
        let verify = try tool("/usr/bin/systemd-analyze", ["verify", "--man=no", file])
        #expect(verify.code == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stderr.isEmpty, "systemd-analyze verify complained: \(verify.stderr)")
        // The check can fail: a unit with a setting systemd does not know.
        try service.replacingOccurrences(of: "NoNewPrivileges=yes", with: "NoNewPrivilege=yes")
            .write(toFile: "\(units)/bad.service", atomically: true, encoding: .utf8)
        let bad = try tool("/usr/bin/systemd-analyze", ["verify", "--man=no", "\(units)/bad.service"])
        #expect(bad.code != 0 || !bad.stderr.isEmpty, "an unknown setting passed systemd-analyze verify")
    }

    @Test func runnerDeploymentValidatesAgainstTheKubernetesSchema() throws {
        runnerProject()
        let file = home.appendingPathComponent("runner.yaml").path
        let out = try exportRunner(["--env", "prod", "--kubernetes", file, "--image", "registry.example/runbook-team:2.0", "--namespace", "etl"])
        #expect(out.code == 0, "\(out.stderr)")
        #expect(out.stdout.contains("Deployment runbook-runner-prod (2 replicas, port 8089)"), "\(out.stdout)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        for fragment in ["kind: Deployment", "replicas: 2", "readinessProbe:\n            httpGet: {path: /health, port: http}",
                         "secretRef:\n                name: \"runbook-runner-prod\"", "secretName: \"runbook-runner-prod-key\"",
                         "kind: Service", "kind: PodDisruptionBudget", "readOnlyRootFilesystem: true", "allowPrivilegeEscalation: false",
                         #"args: ["runner", "--dir", "/opt/runbook", "--env", "prod", "--listen", "0.0.0.0:8089", "--key", "/var/run/secrets/runbook-runner/signing-key", "--state", "/var/lib/runbook-runner"]"#] {
            #expect(text.contains(fragment), "missing \(fragment)")
        }
        expectNoSecret(text, file)
        let validator = try #require(Self.which("kubernetes-validate"), "kubernetes-validate is not installed (scripts/test installs it from PyPI)")
        let valid = try tool(validator, ["--strict", "-k", "1.31.0", file])
        #expect(valid.code == 0, "\(valid.stdout)\(valid.stderr)")
        // The validator can fail: a probe with a field Kubernetes does not know.
        let broken = home.appendingPathComponent("broken.yaml").path
        try text.replacingOccurrences(of: "periodSeconds: 5", with: "periodSeconds: 5\n            everySeconds: 5")
            .write(toFile: broken, atomically: true, encoding: .utf8)
        #expect(try tool(validator, ["--strict", "-k", "1.31.0", broken]).code != 0)
        // Standard output: the same documents.
        let printed = try exportRunner(["--env", "prod", "--kubernetes", "-", "--image", "registry.example/runbook-team:2.0", "--namespace", "etl"])
        #expect(printed.code == 0 && printed.stdout == text)
    }

    @Test func runnerExportRefusesBadInputAndWritesNothing() throws {
        runnerProject()
        let units = home.appendingPathComponent("units").path
        let yaml = home.appendingPathComponent("x.yaml").path
        for args in [["--env", "nowhere", "--systemd", units],
                     ["--env", "prod", "--systemd", units, "--writable", "/srv/a b"],
                     ["--env", "prod", "--systemd", units, "--key-file", "/etc/%i.key"],
                     ["--env", "prod", "--systemd", units, "--listen-host", "0.0.0.0 --dir /tmp"],
                     ["--env", "prod", "--kubernetes", yaml, "--namespace", "etl\"\nkind: Pod"],
                     ["--env", "prod", "--kubernetes", yaml, "--replicas", "0"],
                     ["--env", "prod"]] {
            let out = try exportRunner(args)
            #expect(out.code == 2, "\(args): \(out.stderr)")
        }
        // An environment a runner cannot serve: no ledger, no identity.
        write("environments/plain.yaml", "environment: plain\n")
        let plain = try exportRunner(["--env", "plain", "--systemd", units])
        #expect(plain.code == 2)
        #expect(plain.stderr.contains("needs a ledger and identity"), "\(plain.stderr)")
        #expect(!FileManager.default.fileExists(atPath: units))
        #expect(!FileManager.default.fileExists(atPath: yaml))
    }
}
