import ArgumentParser
import Foundation
import Logging
import RunbookConsole
import RunbookCore
import RunbookDrivers
import RunbookLedger
import ServiceLifecycle
import UnixSignals

/// `runbook serve`: the web console over an environment's ledger (docs/console.md).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the web console: runs (live), approvals, incidents, audit, a JSON API, server-sent events and /metrics, over the environment's ledger.",
        discussion: """
            Who is who: X-Forwarded-User from the sign-on proxy (such as oauth2-proxy behind nginx), which proves itself with \
            the shared secret of --proxy-secret-file in X-Proxy-Secret (and, with --trust-proxy, its address), else a bearer \
            token of --tokens FILE (make one with `runbook serve token USER --file FILE`). Approving in the console needs \
            --key (or RUNBOOK_SIGNING_KEY): the console's own SSH key, listed in allowed_signers as the principal the \
            environment's approvals.console names. Exit 0 after SIGTERM/SIGINT · 2 invalid.
            """,
        subcommands: [ServeToken.self])

    @OptionGroup var options: LedgerOptions
    @Option(name: .customLong("listen"), help: "HOST:PORT to listen on (PORT 0: any free port, printed).") var listen = "127.0.0.1:8088"
    @Option(name: .customLong("trust-proxy"), help: "An address whose X-Forwarded-User header is trusted (repeatable).") var trustProxy: [String] = []
    @Option(name: .customLong("proxy-secret-file"), help: "A file holding the sign-on proxy's shared secret, sent in X-Proxy-Secret (default: $RUNBOOK_PROXY_SECRET_FILE); X-Forwarded-User counts only with it.")
    var proxySecretFile: String?
    @Option(name: .customLong("tokens"), help: "A file of hashed bearer tokens, one 'USER sha256:HEX' per line.") var tokens: String?
    @Option(name: .customLong("tls-cert"), help: "Serve HTTPS with this certificate chain (PEM); cookies are then Secure and __Host-.")
    var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "The private key (PEM) of --tls-cert.") var tlsKey: String?
    @Option(name: .customLong("audit-every"), help: "How often to verify the ledger for /audit (default 5m); viewers see the last verification.")
    var auditEvery = "5m"
    @Option(name: .customLong("key"), help: "The console's SSH key (default: $RUNBOOK_SIGNING_KEY): signs decisions made in the console.") var key: String?
    @OptionGroup var alerts: AlertReceiverOptions

    func run() async throws {
        let env = try options.loadEnvironment()
        guard let url = env.ledgerURL else {
            throw CommandFailure(.usage, "error: environment '\(env.name)' names no ledger: add ledger: {url: ...} to \(env.path ?? "its file")")
        }
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw CommandFailure(.usage, "error: --listen '\(listen)' is not HOST:PORT")
        }
        let host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        var tokenFile: TokenFile?
        if let tokens {
            do { tokenFile = try TokenFile(path: tokens) } catch {
                throw CommandFailure(.usage, error.description)
            }
        }
        let proxySecret = try Self.proxySecret(flag: proxySecretFile, environment: ProcessInfo.processInfo.environment)
        if !trustProxy.isEmpty && proxySecret == nil {
            throw CommandFailure(.usage, "error: --trust-proxy needs the proxy's shared secret (--proxy-secret-file FILE or RUNBOOK_PROXY_SECRET_FILE): "
                + "an address alone would let any process on that host be any user")
        }
        if tokenFile == nil && proxySecret == nil {
            throw CommandFailure(.usage, "error: nobody could sign in: give --tokens FILE, or --proxy-secret-file FILE for a sign-on proxy")
        }
        // The console's key, when it has one, must be the principal the policy names.
        var principals = Set<String>()
        var signers: String?
        var consoleKey: String?
        var consolePrincipal: String?
        if env.hasIdentity {
            do { principals = Set(try env.allowedSigners(home: options.home.home)?.principals ?? []) } catch {
                throw CommandFailure(diagnostics: error.diagnostics)
            }
            signers = env.allowedSignersURL(home: options.home.home)?.path
            if let path = OperatorIdentity.keyPath(flag: key, environment: ProcessInfo.processInfo.environment), let signers {
                do {
                    let identity = try await OperatorIdentity.resolve(key: path, allowedSigners: signers)
                    consoleKey = path
                    consolePrincipal = identity.principal
                } catch {
                    throw CommandFailure(.usage, "error: --key: \(error.message)")
                }
                if let wanted = env.approvalPolicy?.console, wanted != consolePrincipal {
                    throw CommandFailure(.usage, "error: --key names \(consolePrincipal ?? "?") in \(signers), but approvals.console of '\(env.name)' is \(wanted)")
                }
            }
        }
        var configuration = ConsoleConfiguration(environment: env, ledgerURL: url, host: host, port: port, trustedProxies: trustProxy, proxySecret: proxySecret,
                                                 tokens: tokenFile, allowedSigners: signers, principals: principals,
                                                 consoleKey: consoleKey, consolePrincipal: consolePrincipal)
        guard let auditInterval = DurationText.parse(auditEvery), auditInterval >= .seconds(1) else {
            throw CommandFailure(.usage, "error: --audit-every '\(auditEvery)' is not a duration of at least 1s (30s, 5m, 1h)")
        }
        configuration.auditInterval = auditInterval
        switch (tlsCert, tlsKey) {
        case (let cert?, let key?): configuration.tls = (cert, key)
        case (nil, nil): break
        default:
            throw CommandFailure(.usage, "error: --tls-cert and --tls-key go together")
        }
        configuration.alertReceiver = try alerts.configuration(home: options.home.home, defaultConsoleURL: "http://\(listen)")
        var logger = Logger(label: "runbook.console")
        logger.logLevel = .warning
        let shown = host.contains(":") ? "[\(host)]" : host
        let signedAs = consolePrincipal.map { ", approvals signed as \($0)" } ?? ""
        let scheme = configuration.tls == nil ? "http" : "https"
        let made = Result {
            try Console(configuration: configuration, logger: logger).makeApplication { port in
                StandardStreams.out("console: \(scheme)://\(shown):\(port)/ (environment \(env.name)\(signedAs))\n")
            }
        }
        switch made {
        case .failure(let error):
            throw CommandFailure(.usage, "error: --tls-cert/--tls-key: \(error)")
        case .success(let app):
            let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            do { try await group.run() } catch {
                throw CommandFailure(.usage, "error: \(error)")
            }
        }
    }
}

extension Serve {
    /// The fewest characters a proxy secret may have.
    static let proxySecretMinimum = 16

    /// The proxy's shared secret from `--proxy-secret-file` or `$RUNBOOK_PROXY_SECRET_FILE`
    /// (the file's text, without its final line break); nil when neither names a file. Exit 2
    /// when the file cannot be read or the secret is shorter than 16 characters.
    static func proxySecret(flag: String?, environment: [String: String]) throws -> String? {
        guard let path = flag ?? environment["RUNBOOK_PROXY_SECRET_FILE"].flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure(.usage, "error: --proxy-secret-file: cannot read \(path)")
        }
        let secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
        guard secret.count >= proxySecretMinimum else {
            throw CommandFailure(.usage, "error: --proxy-secret-file: \(path) holds \(secret.count) characters; a proxy secret needs at least \(proxySecretMinimum)")
        }
        return secret
    }
}

/// `runbook serve token USER --file FILE`: a new bearer token for USER; its SHA-256 is
/// appended to FILE (made with mode 0600), the token printed once.
struct ServeToken: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Make a console token for USER: appends 'USER sha256:HEX' to FILE and prints the token (once; it is not stored).")

    @Argument(help: "The user the token signs in (the name approvals are recorded under).") var user: String
    @Option(name: .customLong("file"), help: "The tokens file to append to (the one runbook serve --tokens reads).") var tokens: String

    func run() throws {
        guard !user.isEmpty, !user.contains(where: { $0.isWhitespace }) else {
            throw CommandFailure(.usage, "error: USER must be one word (a principal such as ana@conectaboi.com.br)")
        }
        let token = TokenFile.newToken()
        let fd = open(tokens, O_WRONLY | O_APPEND | O_CREAT, 0o600)
        guard fd >= 0 else {
            throw CommandFailure(.usage, "error: cannot write \(tokens): \(String(cString: strerror(errno)))")
        }
        let line = Array(TokenFile.line(user: user, token: token).utf8)
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == line.count else {
            throw CommandFailure(.usage, "error: cannot write \(tokens)")
        }
        StandardStreams.out(token + "\n")
    }
}
