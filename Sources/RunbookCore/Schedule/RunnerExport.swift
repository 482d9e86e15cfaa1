import Foundation

/// The files `runbook runner export` writes for the team's runner (docs/runner.md,
/// "Deploying"): a hardened systemd service, or a Kubernetes Deployment (two replicas behind a
/// Service, ready when `/health` answers) with its PodDisruptionBudget. Credentials are only
/// referenced: an `EnvironmentFile=` and a `LoadCredential=` for systemd, Secrets for
/// Kubernetes; no value of a variable is ever written. Every value is one the command
/// validated (names, absolute paths, a port) or is quoted (YAML strings as JSON).
public struct RunnerExport: Sendable {
    /// The environment the runner serves (environments/NAME.yaml in its home).
    public var environment: String
    /// The variables its environment file reads (`${NAME}`): the EnvironmentFile or the
    /// Secret must define them. Names only.
    public var variables: [String]
    /// The port the runner listens on.
    public var port: Int
    /// systemd: the binary, the runner's home (a checkout of the team's repository at a
    /// reviewed commit), its user, the secrets file, the runner's SSH key and folders its
    /// actions write (`ReadWritePaths=`; everything else is read-only).
    public var binary: String
    public var project: String
    public var user: String
    public var environmentFile: String
    public var keyFile: String
    public var writable: [String]
    /// systemd: the address it listens on (behind the TLS proxy on the same host).
    public var listenHost: String
    /// Kubernetes: the image (the runner's home at /opt/runbook in it), the Secret of
    /// environment variables, the Secret holding the runner's key (key `signing-key`), the
    /// replicas, the namespace (nil: kubectl's).
    public var image: String
    public var secret: String
    public var keySecret: String
    public var replicas: Int
    public var namespace: String?

    /// An export with its settings.
    public init(environment: String, variables: [String], port: Int, binary: String, project: String, user: String,
                environmentFile: String, keyFile: String, writable: [String], listenHost: String,
                image: String, secret: String, keySecret: String, replicas: Int, namespace: String?)
    {
        self.environment = environment
        self.variables = variables
        self.port = port
        self.binary = binary
        self.project = project
        self.user = user
        self.environmentFile = environmentFile
        self.keyFile = keyFile
        self.writable = writable
        self.listenHost = listenHost
        self.image = image
        self.secret = secret
        self.keySecret = keySecret
        self.replicas = replicas
        self.namespace = namespace
    }

    /// `runbook-runner-ENV`: the unit, Deployment and Service name.
    public var name: String { "runbook-runner-\(environment)" }

    /// The runner's state folder: its per-run audit logs before the ledger has them.
    public static let stateDirectory = "/var/lib/runbook-runner"
    /// Where the Kubernetes pod finds the runner's key (a Secret volume).
    public static let podKeyPath = "/var/run/secrets/runbook-runner/signing-key"
    /// The runner's home in the image (the Dockerfile's WORKDIR).
    public static let imageHome = "/opt/runbook"

    /// The variables `text` (an environment file) reads as `${NAME}` or `${NAME:-default}`,
    /// sorted, each once.
    public static func variables(in text: String) -> [String] {
        var names = Set<String>()
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            let after = rest[start.upperBound...]
            let name = after.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            if !name.isEmpty, name.first?.isNumber == false { names.insert(String(name)) }
            rest = after
        }
        return names.sorted()
    }

    /// What the runner runs (after the binary).
    func arguments(home: String, listen: String, key: String) -> [String] {
        ["runner", "--dir", home, "--env", environment, "--listen", listen, "--key", key, "--state", Self.stateDirectory]
    }

    // MARK: systemd

    /// `runbook-runner-ENV.service`: its own user, no new privileges, a read-only system but
    /// its state folder (and `writable`), the secrets from `EnvironmentFile=`, the key as a
    /// credential (`LoadCredential=`, readable by this service only), restarted on failure.
    public func service() -> String {
        let listen = (listenHost.contains(":") ? "[\(listenHost)]" : listenHost) + ":\(port)"
        let writableLines = writable.isEmpty ? "" : "ReadWritePaths=\(writable.joined(separator: " "))\n"
        return """
            # \(name).service: written by `runbook runner export --env \(environment) --systemd`.
            # The team's runner for \(environment) (docs/runner.md): install the team's repository at a reviewed
            # commit in \(project), make the user (useradd --system --home-dir \(Self.stateDirectory) \(user)),
            # put the secrets in \(environmentFile) (root:root, 0600) and the runner's key in \(keyFile),
            # then: systemctl daemon-reload && systemctl enable --now \(name).service
            [Unit]
            Description=runbook team runner for \(environment)
            Documentation=man:systemd.exec(5)
            Wants=network-online.target
            After=network-online.target

            [Service]
            Type=simple
            User=\(user)
            Group=\(user)
            WorkingDirectory=\(project)
            Environment=RUNBOOK_HOME=\(project)
            # Its audit logs, until the ledger has them: \(Self.stateDirectory), owned by \(user), 0700.
            StateDirectory=runbook-runner
            StateDirectoryMode=0700
            # The environment's secrets, one NAME=value a line, read by systemd (root) before the
            # user is switched: \(variables.isEmpty ? "the variables environments/\(environment).yaml reads" : variables.joined(separator: ", ")).
            EnvironmentFile=\(environmentFile)
            # The runner's SSH key, copied by systemd where only this service reads it (%d).
            LoadCredential=signing-key:\(keyFile)
            ExecStart=\(binary) \(arguments(home: project, listen: listen, key: "%d/signing-key").joined(separator: " "))
            # SIGTERM: the runner stops taking requests; a run still going is recorded as interrupted.
            KillSignal=SIGTERM
            TimeoutStopSec=30s
            Restart=on-failure
            RestartSec=2s
            # Exit 2: the runner's files or key are wrong (fix them, do not loop); 4: the ledger cannot be used.
            RestartPreventExitStatus=2
            UMask=0077
            NoNewPrivileges=yes
            ProtectSystem=strict
            ProtectHome=yes
            \(writableLines)PrivateTmp=yes
            PrivateDevices=yes
            ProtectKernelTunables=yes
            ProtectKernelModules=yes
            ProtectKernelLogs=yes
            ProtectControlGroups=yes
            ProtectClock=yes
            ProtectHostname=yes
            RestrictSUIDSGID=yes
            RestrictRealtime=yes
            RestrictNamespaces=yes
            LockPersonality=yes
            MemoryDenyWriteExecute=yes
            RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
            CapabilityBoundingSet=
            SystemCallArchitectures=native

            [Install]
            WantedBy=multi-user.target

            """
    }

    // MARK: Kubernetes

    /// The Deployment, its Service and its PodDisruptionBudget: YAML documents.
    public func kubernetes() -> String {
        [deployment(), serviceObject(), disruptionBudget()].joined(separator: "---\n")
    }

    private func q(_ s: String) -> String { JSON.encode(.string(s)) }

    private var metadataNamespace: String { namespace.map { "\n  namespace: \(q($0))" } ?? "" }

    private var labels: String { "{app.kubernetes.io/name: runbook, app.kubernetes.io/component: runner, runbook/environment: \(q(environment))}" }

    private var selector: String { "{app.kubernetes.io/component: runner, runbook/environment: \(q(environment))}" }

    private func deployment() -> String {
        let args = arguments(home: Self.imageHome, listen: "0.0.0.0:\(port)", key: Self.podKeyPath).map(q).joined(separator: ", ")
        let needs = variables.isEmpty ? "" : "\n# Secret \(secret) must define: \(variables.joined(separator: ", ")); Secret \(keySecret): signing-key."
        return """
            # \(name): written by `runbook runner export --env \(environment) --kubernetes`.
            # The team's runner for \(environment) (docs/runner.md): stateless replicas over one ledger. The
            # policy (runbooks, checks, templates, environments, allowed_signers) is the image's \(Self.imageHome),
            # pinned in the ledger at start; credentials come from Secrets, never from this file.\(needs)
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: \(q(name))\(metadataNamespace)
              labels: \(labels)
            spec:
              replicas: \(replicas)
              selector:
                matchLabels: \(selector)
              strategy:
                type: RollingUpdate
                rollingUpdate: {maxUnavailable: 0, maxSurge: 1}
              template:
                metadata:
                  labels: \(labels)
                spec:
                  automountServiceAccountToken: false
                  # A run still going when the pod stops is recorded as interrupted; another replica
                  # notices a replica lost without that within seconds.
                  terminationGracePeriodSeconds: 30
                  securityContext:
                    runAsNonRoot: true
                    runAsUser: 10001
                    runAsGroup: 10001
                    fsGroup: 10001
                    seccompProfile: {type: RuntimeDefault}
                  containers:
                    - name: runner
                      image: \(q(image))
                      args: [\(args)]
                      ports:
                        - {name: http, containerPort: \(port), protocol: TCP}
                      envFrom:
                        - secretRef:
                            name: \(q(secret))
                      readinessProbe:
                        httpGet: {path: /health, port: http}
                        periodSeconds: 5
                        timeoutSeconds: 2
                        failureThreshold: 2
                      livenessProbe:
                        httpGet: {path: /health, port: http}
                        initialDelaySeconds: 10
                        periodSeconds: 10
                        timeoutSeconds: 5
                        failureThreshold: 6
                      resources:
                        requests: {cpu: 250m, memory: 128Mi}
                        limits: {memory: 512Mi}
                      securityContext:
                        allowPrivilegeEscalation: false
                        readOnlyRootFilesystem: true
                        capabilities:
                          drop: ["ALL"]
                      volumeMounts:
                        - {name: signing-key, mountPath: /var/run/secrets/runbook-runner, readOnly: true}
                        - {name: state, mountPath: \(Self.stateDirectory)}
                        - {name: tmp, mountPath: /tmp}
                  volumes:
                    - name: signing-key
                      secret:
                        secretName: \(q(keySecret))
                        # 0440: the key file, readable by the runner's group (fsGroup) only.
                        defaultMode: 288
                        items:
                          - {key: signing-key, path: signing-key}
                    - name: state
                      emptyDir: {}
                    - name: tmp
                      emptyDir: {}

            """
    }

    private func serviceObject() -> String {
        """
        # \(name): the runner's URL inside the cluster (runner.url in the operators' environment file:
        # http://\(name)\(namespace.map { ".\($0)" } ?? "").svc:\(port) behind the mesh's or ingress' TLS).
        apiVersion: v1
        kind: Service
        metadata:
          name: \(q(name))\(metadataNamespace)
          labels: \(labels)
        spec:
          type: ClusterIP
          selector: \(selector)
          ports:
            - {name: http, port: \(port), targetPort: http, protocol: TCP}

        """
    }

    private func disruptionBudget() -> String {
        """
        # \(name): a drain keeps one replica answering.
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata:
          name: \(q(name))\(metadataNamespace)
          labels: \(labels)
        spec:
          minAvailable: 1
          selector:
            matchLabels: \(selector)

        """
    }
}
