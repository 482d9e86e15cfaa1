import Foundation
import RunbookCore
import RunbookDrivers
import RunbookLedger

/// What a runner does with one signed request: verify it against its own allowed_signers,
/// refuse a stale time, a changed policy or a nonce the ledger has seen, then run it as the
/// principal it verified, with its own environment, policy and key, streaming what the run
/// says. A client gone (or ``RunnerStream/cancel()``) cancels the run, recorded as interrupted.
public struct RunnerService: Sendable {
    public let configuration: RunnerConfiguration
    let keygen: SSHKeygen
    /// The plain ed25519 signers of its allowed_signers, verified in process (no `ssh-keygen`
    /// per request); nil when the file cannot be read (every request then asks `ssh-keygen`).
    /// The file as it was at start: once it changes, the policy check refuses every request.
    let signatures: SSHSignatureVerifier?
    /// Its kept connection to the ledger: the requests' nonces and run ids, and its runs'
    /// active marks (which end with the process).
    let link: RunnerLedgerLink
    /// Whether its files still hash to the policy it pinned, one hash per burst of requests.
    let policyCheck: RunnerPolicyCheck
    /// What its runs share: connections, the environment and the files as parsed once.
    let shared: RunnerShared

    public init(configuration: RunnerConfiguration) {
        self.configuration = configuration
        let link = RunnerLedgerLink(url: configuration.ledgerURL)
        self.link = link
        // The runs' active marks go on the kept connection: they end with the process.
        shared = RunnerShared(home: configuration.home, environment: configuration.environment, ledgerURL: configuration.ledgerURL) { () async throws(LedgerError) -> Ledger in
            try await link.ledger()
        }
        policyCheck = RunnerPolicyCheck(home: configuration.home, extra: [URL(fileURLWithPath: configuration.allowedSigners)])
        // Its own key signs each run's checkpoint in process when it is a plain ed25519 file.
        var keygen = SSHKeygen()
        keygen.inProcess = SSHSigner(keyFile: configuration.key)
        self.keygen = keygen
        let path = configuration.allowedSigners
        signatures = (try? AllowedSigners.load(URL(fileURLWithPath: path), path: path)).map(SSHSignatureVerifier.init)
    }

    /// Why a request was not run: said to the client, exit 2 (4 when the ledger cannot be used).
    public struct Refusal: Error, Sendable {
        /// The HTTP status: 400 malformed, 403 not signed by a principal, 409 replayed or
        /// stale, 503 the ledger cannot be used.
        public var status: Int
        public var message: String
        public var exitCode: Int32 { status == 503 ? 4 : 2 }
    }

    /// A run accepted: its events, ending with `.exit`, and how to cancel it.
    public struct Accepted: Sendable {
        public let principal: String
        public let events: AsyncStream<RunnerEvent>
        public let cancellation: CancellationRelay
    }

    /// Checks `envelope` (the JSON body of `POST /runs`) and starts its run.
    public func accept(_ body: String) async throws(Refusal) -> Accepted {
        let (envelope, principal) = try await admit(body, what: "run")
        guard let request = RunnerRequest.decode(envelope.request) else {
            throw Refusal(status: 400, message: "the signed request is not a run request of version 1")
        }
        try await check(environment: request.run.environment, time: request.time)
        try await claim(nonce: request.nonce, envelope: envelope, principal: principal, runbook: request.run.runbook,
                        environment: request.run.environment, mode: request.run.dryRun ? "dry-run" : "live", signedAt: request.time)
        return start(request, principal: principal)
    }

    /// Checks `body` (the JSON body of `POST /commands`) as ``accept(_:)`` checks a run
    /// request, and records its nonce: the command and the principal that signed it, for the
    /// caller to run (``Runner/Commands``).
    public func acceptCommand(_ body: String) async throws(Refusal) -> (request: RunnerCommandRequest, principal: String) {
        let (envelope, principal) = try await admit(body, what: "command")
        guard let request = RunnerCommandRequest.decode(envelope.request) else {
            throw Refusal(status: 400, message: "the signed request is not a command request of version 1")
        }
        try await check(environment: request.environment, time: request.time)
        try await claim(nonce: request.nonce, envelope: envelope, principal: principal, runbook: request.command.prefix(2).joined(separator: " "),
                        environment: request.environment, mode: "command", signedAt: request.time)
        return (request, principal)
    }

    /// The envelope of `body` and the principal whose signature verifies, or a refusal.
    func admit(_ body: String, what: String) async throws(Refusal) -> (RunnerRequest.Envelope, String) {
        guard let envelope = try? JSONDecoder().decode(RunnerRequest.Envelope.self, from: Data(body.utf8)) else {
            throw Refusal(status: 400, message: "not a \(what) request: expected {\"request\": ..., \"signature\": ...}")
        }
        return (envelope, try await verify(envelope))
    }

    /// Refuses another environment than the runner's, a time too far from its clock, and any
    /// request once its files changed.
    func check(environment: String, time: Int) async throws(Refusal) {
        let env = configuration.environment
        guard environment == env.name else {
            throw Refusal(status: 400, message: "this runner serves environment '\(env.name)', not '\(environment)'")
        }
        let now = Int(Date().timeIntervalSince1970)
        guard abs(now - time) <= RunnerRequest.maxAge else {
            throw Refusal(status: 409, message: "the request was signed \(now - time) s ago by the runner's clock (at most \(RunnerRequest.maxAge) s either way): sign a new one")
        }
        let pinned = await policyCheck.digest()
        guard pinned == configuration.policy.digest else {
            throw Refusal(status: 503, message: "the runner's files changed since it started (policy \(configuration.policy.digest.prefix(19))…, now \(pinned.prefix(19))…): it runs nothing until restarted, which records the new policy")
        }
    }

    /// The principal of the runner's allowed_signers whose key signed the request in the
    /// `runbook-request` namespace.
    func verify(_ envelope: RunnerRequest.Envelope) async throws(Refusal) -> String {
        let message = Array(envelope.request.utf8)
        // The plain case in process; anything else, and any doubt, by ssh-keygen as before.
        if case .principal(let principal)? = signatures?.principal(signing: envelope.signature, message: message, namespace: RunnerRequest.namespace) {
            return principal
        }
        let candidates: [String]
        do { candidates = try await keygen.findPrincipals(signature: envelope.signature, allowedSigners: configuration.allowedSigners) } catch {
            throw Refusal(status: 403, message: "the request's signature cannot be used: \(error.message)")
        }
        for principal in candidates where !principal.contains(where: { "*?,".contains($0) }) {
            do {
                try await keygen.verify(message: message, signature: envelope.signature, principal: principal,
                                        allowedSigners: configuration.allowedSigners, namespace: RunnerRequest.namespace)
                return principal
            } catch {
                continue
            }
        }
        throw Refusal(status: 403, message: "the request is not signed (namespace \(RunnerRequest.namespace)) by a principal of the runner's allowed_signers")
    }

    /// Records the request's nonce in the ledger: once, ever, across replicas.
    func claim(nonce: String, envelope: RunnerRequest.Envelope, principal: String, runbook: String, environment: String, mode: String,
               signedAt: Int) async throws(Refusal)
    {
        let redactor = Redactor(secrets: configuration.environment.secrets)
        let claimed: Bool
        do throws(LedgerError) {
            let ledger = try await link.ledger()
            claimed = try await ledger.claimRunnerRequest(nonce: nonce, principal: principal, runbook: runbook, environment: environment,
                                                          mode: mode, signedAt: signedAt, replica: configuration.replica, request: envelope.request,
                                                          signature: envelope.signature)
        } catch {
            throw Refusal(status: 503, message: "the ledger cannot be used: \(redactor.redact(error.message)); nothing was run")
        }
        guard claimed else {
            throw Refusal(status: 409, message: "request \(nonce) was received already (a replay): each signed request runs once; nothing was run")
        }
    }

    /// Starts the run of an accepted request.
    func start(_ request: RunnerRequest, principal: String) -> Accepted {
        let (events, continuation) = AsyncStream.makeStream(of: RunnerEvent.self)
        var options = request.run
        options.key = nil
        options.operatorName = nil
        options.auditLog = configuration.stateDirectory.appendingPathComponent("audit/\(request.nonce).jsonl").path
        let output = RunOutput(out: { continuation.yield(.out($0)) }, err: { continuation.yield(.err($0)) })
        var context = RunSession.Context(home: configuration.home, directoryFlag: nil, processEnvironment: ProcessInfo.processInfo.environment,
                                         host: configuration.replica, output: output, terminal: nil, color: false,
                                         who: .runner(principal: principal, signer: CheckpointWriter(key: configuration.key, principal: configuration.principal, keygen: keygen)),
                                         auditLog: options.auditLog ?? "")
        context.shared = shared
        let configuration = self.configuration
        let link = self.link
        context.runStarting = { runID in
            Task {
                guard let ledger = try? await link.ledger() else { return }
                try? await ledger.setRunnerRequestRun(nonce: request.nonce, runID: runID)
            }
        }
        let session = RunSession(options: options, context: context)
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: configuration.heartbeat)
                continuation.yield(.heartbeat)
            }
        }
        Task {
            let code: Int32
            do throws(RunSessionError) {
                if let report = try await session.run() {
                    code = report.exitCode
                    if request.junit { continuation.yield(.junit(JUnitReport.render(report))) }
                } else {
                    code = 0
                }
            } catch {
                code = error.exitCode
            }
            heartbeat.cancel()
            continuation.yield(.exit(code))
            continuation.finish()
        }
        return Accepted(principal: principal, events: events, cancellation: context.cancellation)
    }
}
