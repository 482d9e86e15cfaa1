import Foundation
import Testing

/// The web console (issue 13) over HTTP: the built binary serves a ledger of its own (a
/// database of the sandbox's PostgreSQL made for the test) in a throw-away project with four
/// SSH keys (alice and bob approve, carol does not, the console signs) and per-user tokens;
/// curl is the client (it can speak from 127.0.0.2, the trusted proxy's address). Nothing
/// here is timed; waits only detect a hang.
@Suite("runbook serve (web console)", .serialized)
final class ConsoleTests {
    let sandbox: Sandbox
    let home: URL
    let database: String
    let url: String
    let audit: String
    var tokens: [String: String] = [:]
    var server: Process?
    var port = 0
    /// `https` once the console serves TLS (curl then trusts its self-signed certificate).
    var scheme = "http"

    init() throws {
        sandbox = try Sandbox.current()
        (database, url) = try sandbox.newDatabase("console")
        home = FileManager.default.temporaryDirectory.appendingPathComponent("console-\(UUID().uuidString)")
        for d in ["runbooks", "environments"] {
            try FileManager.default.createDirectory(at: home.appendingPathComponent(d), withIntermediateDirectories: true)
        }
        audit = home.appendingPathComponent("audit.jsonl").path
        try write("environments/prod.allowed_signers", try CLITests.allowedSigners(["alice", "bob", "carol", "console"], in: home))
        try write("environments/prod.yaml", """
            environment: prod
            database: {url: "${CONSOLE_DB_URL}"}
            ledger: {url: "${CONSOLE_DB_URL}"}
            identity: {allowed_signers: environments/prod.allowed_signers}
            approvals: {high: 1, approvers: [alice@example.com, bob@example.com], console: console@example.com}
            secrets: [CONSOLE_DB_URL]
            """)
        try write("runbooks/fix.yaml", ApprovalCLITests.gaugeRunbook)
        try write("runbooks/hostile.yaml", """
            runbook: hostile
            title: "<b>bold</b> title"
            inputs:
              note: {type: string, default: "x"}
            steps:
              - check: echo-note
                shell: [echo, "${{ inputs.note }}"]
              - check: script-output
                shell: [bash, -c, "echo '<script>document.title=\\"pwned\\"</script>' ; echo '<img src=x onerror=alert(1)>'"]
            """)
        try ledgerSQL("CREATE TABLE gauge (v int); INSERT INTO gauge VALUES (15)")
        let initialized = try runbook(["ledger", "init", "--env", "prod"])
        #expect(initialized.code == 0, "\(initialized.stderr)")
        let tokenFile = home.appendingPathComponent("tokens").path
        for name in ["alice", "bob", "carol"] {
            let token = try Sandbox.output([CLITests.binary, "serve", "token", "\(name)@example.com", "--file", tokenFile])
            tokens[name] = token.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(tokens[name]?.hasPrefix("rbk_") == true, "\(token)")
        }
        try Self.proxySecret.write(to: home.appendingPathComponent("proxy.secret"), atomically: true, encoding: .utf8)
        try start(["--tokens", tokenFile, "--trust-proxy", "127.0.0.2", "--proxy-secret-file", home.appendingPathComponent("proxy.secret").path,
                   "--key", home.appendingPathComponent("console").path])
    }

    /// The sign-on proxy's shared secret (`X-Proxy-Secret`).
    static let proxySecret = "proxy-Shared-Secret-0123456789\n"

    deinit {
        server?.terminate()
        server?.waitUntilExit()
        _ = try? sandbox.psql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
        try? FileManager.default.removeItem(at: home)
    }

    func write(_ path: String, _ text: String) throws {
        try text.write(to: home.appendingPathComponent(path), atomically: true, encoding: .utf8)
    }

    func runbook(_ args: [String]) throws -> CLITests.Output {
        try sandbox.runbook(args, audit: audit, extra: ["CONSOLE_DB_URL": url, "SSH_AUTH_SOCK": "", "RUNBOOK_SIGNING_KEY": "", "NO_COLOR": "1"], dir: home)
    }

    @discardableResult
    func ledgerSQL(_ sql: String) throws -> String {
        try Sandbox(databaseURL: url, apiURL: sandbox.apiURL, token: sandbox.token, logDir: sandbox.logDir).psql(sql)
    }

    /// Starts `runbook serve --env prod --listen 127.0.0.1:0` and reads the port it prints.
    func start(_ args: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLITests.binary)
        process.arguments = ["serve", "--env", "prod", "--listen", "127.0.0.1:0", "--dir", home.path] + args
        process.currentDirectoryURL = home
        var env = ProcessInfo.processInfo.environment
        env["CONSOLE_DB_URL"] = url
        env["SSH_AUTH_SOCK"] = ""
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        server = process
        var seen = ""
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !seen.contains("\n") {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { break }
            seen += String(decoding: data, as: UTF8.self)
        }
        let match = try #require(seen.firstMatch(of: /https?:\/\/127\.0\.0\.1:(\d+)\//), "serve printed: \(seen)")
        port = Int(match.output.1) ?? 0
    }

    struct Answer {
        var status: Int
        var headers: String
        var body: String
    }

    /// One request with curl; `from`: the source address; `jar`: a cookie file read and written.
    func http(_ method: String, _ path: String, headers: [String] = [], form: [String: String]? = nil, from: String = "127.0.0.1",
              jar: String? = nil) throws -> Answer
    {
        let bodyFile = home.appendingPathComponent("body-\(UUID().uuidString)").path
        let headerFile = bodyFile + ".h"
        defer {
            try? FileManager.default.removeItem(atPath: bodyFile)
            try? FileManager.default.removeItem(atPath: headerFile)
        }
        var args = ["/usr/bin/curl", "-s", "-X", method, "--interface", from, "-o", bodyFile, "-D", headerFile, "-w", "%{http_code}"]
        for h in headers { args += ["-H", h] }
        if let jar { args += ["-b", jar, "-c", jar] }
        if let form { for (k, v) in form.sorted(by: { $0.key < $1.key }) { args += ["--data-urlencode", "\(k)=\(v)"] } }
        if scheme == "https" { args.append("-k") }
        args.append("\(scheme)://127.0.0.1:\(port)\(path)")
        let status = try Sandbox.output(args)
        return Answer(status: Int(status.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0,
                      headers: (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? "",
                      body: (try? String(contentsOfFile: bodyFile, encoding: .utf8)) ?? "")
    }

    func bearer(_ name: String) -> String { "Authorization: Bearer \(tokens[name] ?? "")" }

    /// Signs `name` in through /login; returns the cookie jar (token and request-token cookies)
    /// and the request token the forms carry.
    func signIn(_ name: String) throws -> (jar: String, csrf: String) {
        let jar = home.appendingPathComponent("jar-\(name)").path
        let page = try http("GET", "/login", jar: jar)
        let csrf = try #require(page.body.firstMatch(of: /name="csrf" value="([0-9a-f]{64})"/)).output.1
        let login = try http("POST", "/login", form: ["token": tokens[name] ?? "", "csrf": String(csrf)], jar: jar)
        #expect(login.status == 303, "\(login.status) \(login.body)")
        return (jar, String(csrf))
    }

    /// A live run by alice that stops at the gate; the request id.
    func request() throws -> String {
        let out = try runbook(["run", "fix", "--env", "prod", "--key", home.appendingPathComponent("alice").path])
        #expect(out.code == 3, "\(out.stdout)\(out.stderr)")
        return try #require(out.stdout.firstMatch(of: /apr-[0-9a-f]{10}/).map { String($0.output) })
    }

    @Test func noKnownUserIs401AndAProxyHeaderCountsOnlyFromTheProxy() throws {
        let anonymous = try http("GET", "/")
        #expect(anonymous.status == 401)
        #expect(anonymous.headers.lowercased().contains("www-authenticate: bearer"), "\(anonymous.headers)")
        #expect(anonymous.body.contains("Sign in"))
        #expect(try http("GET", "/api/runs").status == 401)
        #expect(try http("GET", "/metrics").status == 401)
        #expect(try http("GET", "/api/runs", headers: ["Authorization: Bearer rbk_0000"]).status == 401)
        // The user header from an address that is not the proxy is ignored, even with the secret.
        let secret = "X-Proxy-Secret: \(Self.proxySecret.trimmingCharacters(in: .newlines))"
        #expect(try http("GET", "/api/runs", headers: ["X-Forwarded-User: bob@example.com"]).status == 401)
        #expect(try http("GET", "/api/runs", headers: ["X-Forwarded-User: bob@example.com", secret]).status == 401)
        // From the proxy's address, a local process without the proxy's secret is nobody.
        #expect(try http("GET", "/api/runs", headers: ["X-Forwarded-User: bob@example.com"], from: "127.0.0.2").status == 401)
        #expect(try http("GET", "/api/runs", headers: ["X-Forwarded-User: bob@example.com", "X-Proxy-Secret: proxy-Shared-Secret-0123456788"],
                         from: "127.0.0.2").status == 401)
        let proxied = try http("GET", "/", headers: ["X-Forwarded-User: bob@example.com", secret], from: "127.0.0.2")
        #expect(proxied.status == 200, "\(proxied.body)")
        #expect(proxied.body.contains("bob@example.com · prod"))
        let api = try http("GET", "/api/runs", headers: [bearer("carol")])
        #expect(api.status == 200)
        #expect(api.body.contains("\"runs\""))
        let metrics = try http("GET", "/metrics", headers: [bearer("carol")])
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("runbook_pending_approvals"), "\(metrics.body)")
        // Prometheus' own linter accepts it (Debian's promtool, installed by scripts/test).
        let exposition = home.appendingPathComponent("metrics.txt").path
        try metrics.body.write(toFile: exposition, atomically: true, encoding: .utf8)
        let check = try Sandbox.spawnAndWait(["/bin/bash", "-c", "promtool check metrics < '\(exposition)' > '\(exposition).out' 2>&1"])
        #expect(check == 0, "promtool check metrics: \((try? String(contentsOfFile: exposition + ".out", encoding: .utf8)) ?? "")")
    }

    @Test func hostileInputsAndOutputAreEscaped() throws {
        let hostile = "<script>alert(\"in\")</script>"
        let run = try runbook(["run", "hostile", "--env", "prod", "--dry-run", "--input", "note=\(hostile)"])
        #expect(run.code == 0, "\(run.stdout)\(run.stderr)")
        let list = try http("GET", "/api/runs?runbook=hostile", headers: [bearer("carol")])
        let id = try #require(list.body.firstMatch(of: /"run_id": "([^"]+)"/)).output.1
        for path in ["/runs/\(id)", "/?runbook=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/?operator=%22%3E%3Cimg%20src%3Dx%3E"] {
            let page = try http("GET", path, headers: [bearer("carol")])
            #expect(page.status == 200, "\(path)")
            let main = page.body.components(separatedBy: "<main>").last ?? ""
            for raw in ["<script>", "<img", "<b>"] where main.contains(raw) {
                #expect(!main.contains(raw), "\(path) renders '\(raw)' unescaped:\n\(main)")
            }
        }
        let page = try http("GET", "/runs/\(id)", headers: [bearer("carol")])
        #expect(page.body.contains("&lt;script&gt;alert(&quot;in&quot;)&lt;/script&gt;"), "\(page.body)")
        #expect(page.body.contains("&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;"))
        #expect(page.headers.lowercased().contains("content-security-policy: default-src 'self'"))
        // A run id that is itself hostile.
        let weird = try http("GET", "/runs/%3Cscript%3Ex%3C%2Fscript%3E", headers: [bearer("carol")])
        #expect(!(weird.body.components(separatedBy: "<main>").last ?? "").contains("<script>x"))
    }

    /// The approvals page keeps each card's plan part rendered (KeptByRequest); a plan edited
    /// in the ledger after it was shown is shown as edited at the next view, never as it was.
    @Test func aPlanEditedInTheLedgerIsShownAsEditedAtTheNextView() throws {
        let id = try request()
        let first = try http("GET", "/approvals", headers: [bearer("carol")])
        #expect(first.body.contains("Repair at 15 %?"), "\(first.body)")
        let again = try http("GET", "/approvals", headers: [bearer("carol")])
        #expect(again.body.contains("Repair at 15 %?") && again.body.contains("<td class=\"num\"><mark>15</mark></td>"), "\(again.body)")
        _ = try ledgerSQL("UPDATE runbook.approval_requests SET plan = jsonb_set(plan, '{question}', '\"Edited <i>later</i>?\"') WHERE id = '\(id)'")
        let edited = try http("GET", "/approvals", headers: [bearer("carol")])
        #expect(edited.body.contains("Edited &lt;i&gt;later&lt;/i&gt;?"), "\(edited.body)")
        #expect(!edited.body.contains("Repair at 15 %?"), "the plan as it was before the edit")
    }

    /// The cards are kept rendered (KeptByRequest) and their signatures remembered (SignatureMemo):
    /// a decision made elsewhere, then the approver's key taken out of allowed_signers, are
    /// shown at the next view, never the card as it was.
    @Test func aDecisionMadeElsewhereAndARevokedKeyAreShownAtTheNextView() throws {
        let id = try request()
        let first = try http("GET", "/approvals", headers: [bearer("carol")])
        #expect(first.body.contains("pending</span> repair <span class=\"dim\">of fix · high risk · 0/1</span>"), "\(first.body)")
        // /api/approvals' plan_text (as `runbook approve` prints it) is kept the same way.
        func planText() throws -> String {
            let api = try http("GET", "/api/approvals", headers: [bearer("carol")])
            let list = try #require(try JSONSerialization.jsonObject(with: Data(api.body.utf8)) as? [[String: Any]], "\(api.body)")
            return try #require(list.first?["plan_text"] as? String, "\(api.body)")
        }
        #expect(try planText().contains("(0 so far)"))
        let approved = try runbook(["approve", id, "--env", "prod", "--key", home.appendingPathComponent("bob").path, "--comment", "seen <b>it</b>"])
        #expect(approved.code == 0, "\(approved.stdout)\(approved.stderr)")
        let decided = try http("GET", "/approvals", headers: [bearer("carol")]).body
        #expect(decided.contains("approved</span> repair <span class=\"dim\">of fix · high risk · 1/1</span>"), "\(decided)")
        #expect(decided.contains("approved</span> by bob@example.com at ") && decided.contains(": seen &lt;b&gt;it&lt;/b&gt;</li>"), "\(decided)")
        #expect(!decided.contains("signature does not verify"))
        let decidedText = try planText()
        #expect(decidedText.contains("(1 so far)") && decidedText.contains("approved by bob@example.com at ") && !decidedText.contains("DOES NOT VERIFY"), "\(decidedText)")
        let signers = try String(contentsOf: home.appendingPathComponent("environments/prod.allowed_signers"), encoding: .utf8)
        try write("environments/prod.allowed_signers", signers.split(separator: "\n").filter { !$0.hasPrefix("bob@") }.joined(separator: "\n") + "\n")
        let revoked = try http("GET", "/approvals", headers: [bearer("carol")]).body
        // A decision whose signature no longer verifies makes the request tampered.
        #expect(revoked.contains("tampered</span> repair <span class=\"dim\">of fix · high risk · 0/1</span>"), "\(revoked)")
        #expect(revoked.contains("by bob@example.com at ") && revoked.contains("<strong class=\"red\">signature does not verify</strong>"), "\(revoked)")
        #expect(try planText().contains(": seen <b>it</b> (SIGNATURE DOES NOT VERIFY)"))
    }

    @Test func approvingNeedsTheRightAFormOfThisConsoleAndIsSignedViaConsole() throws {
        let id = try request()
        // Everyone signed in sees what `runbook approve` shows.
        let (carolJar, carolCSRF) = try signIn("carol")
        let seen = try http("GET", "/approvals", jar: carolJar)
        #expect(seen.status == 200)
        // The sentence first, then the command, the finding's rows as a table with the value
        // the action read marked, the digest.
        for shown in [id, "<p class=\"lead\">alice@example.com asks to run repair (high risk) of fix in prod, because error-rate is RED (error_rate = 15).</p>",
                      "<span class=\"dim\">will run</span> SQL UPDATE gauge SET v = 1", "Repair at 15 %?",
                      "<th scope=\"col\" class=\"num\">error_rate</th>", "<td class=\"num\"><mark>15</mark></td>", "<code>sha256:"] {
            #expect(seen.body.contains(shown), "missing \(shown)")
        }
        #expect(!seen.body.contains("action=\"/approvals/\(id)/approve\""), "carol is no approver: no form")
        let carol = try http("POST", "/approvals/\(id)/approve", form: ["csrf": carolCSRF], jar: carolJar)
        #expect(carol.status == 403, "\(carol.body)")
        #expect(carol.body.contains("is not an approver"))
        let (aliceJar, aliceCSRF) = try signIn("alice")
        let own = try http("POST", "/approvals/\(id)/approve", form: ["csrf": aliceCSRF], jar: aliceJar)
        #expect(own.status == 403)
        #expect(own.body.contains("nobody approves their own request"))
        #expect(try http("POST", "/api/approvals/\(id)/approve", headers: [bearer("carol")]).status == 403)

        // Cross-site: no request token, a wrong one, another site's Origin.
        let (bobJar, bobCSRF) = try signIn("bob")
        #expect(try http("POST", "/approvals/\(id)/approve", form: [:], jar: bobJar).status == 403)
        #expect(try http("POST", "/approvals/\(id)/approve", form: ["csrf": String(repeating: "0", count: 64)], jar: bobJar).status == 403)
        #expect(try http("POST", "/approvals/\(id)/approve", headers: ["Origin: http://evil.example"], form: ["csrf": bobCSRF], jar: bobJar).status == 403)
        #expect(try http("POST", "/approvals/\(id)/approve", headers: ["Sec-Fetch-Site: cross-site"], form: ["csrf": bobCSRF], jar: bobJar).status == 403)
        #expect(try ledgerSQL("SELECT count(*) FROM runbook.approval_decisions") == "0", "nothing recorded by a refused request")

        let page = try http("GET", "/approvals", jar: bobJar)
        #expect(page.body.contains("action=\"/approvals/\(id)/approve\""))
        let approved = try http("POST", "/approvals/\(id)/approve", form: ["csrf": bobCSRF, "comment": "<b>ok</b> from the phone"], jar: bobJar)
        #expect(approved.status == 303, "\(approved.body)")
        #expect(approved.headers.contains("approvals?decided=\(id)&outcome=approved"), "\(approved.headers)")
        #expect(try ledgerSQL("SELECT approver || ' ' || via || ' ' || signer FROM runbook.approval_decisions") == "bob@example.com console console@example.com")
        let again = try http("POST", "/approvals/\(id)/approve", form: ["csrf": bobCSRF], jar: bobJar)
        #expect(again.status == 409, "the same person counts once")

        let resumed = try runbook(["run", "fix", "--env", "prod", "--key", home.appendingPathComponent("alice").path, "--resume", id])
        #expect(resumed.code == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(try ledgerSQL("SELECT v FROM gauge") == "1")
        let verify = try runbook(["audit", "verify", "--ledger", "--env", "prod", "--dir", home.path])
        #expect(verify.code == 0, "\(verify.stdout)\(verify.stderr)")
        // The run page says who approved, via the console.
        let runID = try ledgerSQL("SELECT run_id FROM runbook.runs WHERE status = 'green'")
        let runPage = try http("GET", "/runs/\(runID)", headers: [bearer("carol")])
        #expect(runPage.body.contains("approved by bob@example.com via console"), "\(runPage.body)")
    }

    @Test func aPolicyWithoutTheConsoleRefusesConsoleApprovals() throws {
        let id = try request()
        server?.terminate()
        server?.waitUntilExit()
        try write("environments/prod.yaml", """
            environment: prod
            database: {url: "${CONSOLE_DB_URL}"}
            ledger: {url: "${CONSOLE_DB_URL}"}
            identity: {allowed_signers: environments/prod.allowed_signers}
            approvals: {high: 1, approvers: [alice@example.com, bob@example.com]}
            secrets: [CONSOLE_DB_URL]
            """)
        try start(["--tokens", home.appendingPathComponent("tokens").path])
        let refused = try http("POST", "/api/approvals/\(id)/approve", headers: [bearer("bob")])
        #expect(refused.status == 403)
        #expect(refused.body.contains("does not count approvals made in the console"), "\(refused.body)")
        #expect(try ledgerSQL("SELECT count(*) FROM runbook.approval_decisions") == "0")
    }

    @Test func trustProxyWithoutTheProxysSecretIsRefused() throws {
        let out = try runbook(["serve", "--env", "prod", "--listen", "127.0.0.1:0", "--trust-proxy", "127.0.0.2"])
        #expect(out.code == 2, "\(out.stdout)\(out.stderr)")
        #expect(out.stderr.contains("--trust-proxy needs the proxy's shared secret"), "\(out.stderr)")
    }

    /// The `runbook_ledger_verifications` value of `/metrics`.
    func verifications() throws -> Int? {
        let metrics = try http("GET", "/metrics", headers: [bearer("carol")]).body
        return metrics.firstMatch(of: /\nrunbook_ledger_verifications (\d+)/).flatMap { Int($0.output.1) }
    }

    @Test func viewersOfTheAuditShareOneVerificationAndTheButtonStartsTheNext() throws {
        var seen = Set<String>()
        for _ in 0..<6 {
            let api = try http("GET", "/api/audit", headers: [bearer("carol")])
            #expect(api.status == 200, "\(api.body)")
            if let at = api.body.firstMatch(of: /"verified_at": "([^"]+)"/) { seen.insert(String(at.output.1)) }
            #expect(try http("GET", "/audit", headers: [bearer("carol")]).status == 200)
        }
        #expect(seen.count == 1, "each viewer ran a verification of its own: \(seen)")
        #expect(try verifications() == 1)
        // The button: a form of this console (a request token), one more verification.
        let (jar, csrf) = try signIn("carol")
        #expect(try http("POST", "/audit/refresh", form: [:], jar: jar).status == 403)
        let page = try http("GET", "/audit", jar: jar)
        #expect(page.body.contains("action=\"/audit/refresh\""), "\(page.body)")
        let refresh = try http("POST", "/audit/refresh", form: ["csrf": csrf], jar: jar)
        #expect(refresh.status == 303, "\(refresh.body)")
        let deadline = Date().addingTimeInterval(60)
        while try verifications() != 2 && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(try verifications() == 2)
    }

    @Test func overTLSTheCookiesAreSecureAndHostOnly() throws {
        server?.terminate()
        server?.waitUntilExit()
        let cert = home.appendingPathComponent("console.crt").path, key = home.appendingPathComponent("console.key").path
        let made = try Sandbox.spawnAndWait(["/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                             "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
        #expect(made == 0)
        try start(["--tokens", home.appendingPathComponent("tokens").path, "--tls-cert", cert, "--tls-key", key])
        scheme = "https"
        let jar = home.appendingPathComponent("jar-tls").path
        let page = try http("GET", "/login", jar: jar)
        #expect(page.status == 200, "\(page.body)")
        let csrfCookie = try #require(page.headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("set-cookie:") }.map(String.init))
        #expect(csrfCookie.contains("__Host-runbook_csrf=") && csrfCookie.contains("; Secure") && csrfCookie.contains("Path=/")
            && !csrfCookie.lowercased().contains("domain="), "\(csrfCookie)")
        let csrf = try #require(page.body.firstMatch(of: /name="csrf" value="([0-9a-f]{64})"/)).output.1
        let login = try http("POST", "/login", form: ["token": tokens["bob"] ?? "", "csrf": String(csrf)], jar: jar)
        #expect(login.status == 303, "\(login.status) \(login.body)")
        #expect(login.headers.contains("__Host-runbook_token=rbk_") && login.headers.contains("SameSite=Strict; Secure"), "\(login.headers)")
        let signedIn = try http("GET", "/", jar: jar)
        #expect(signedIn.status == 200 && signedIn.body.contains("bob@example.com · prod"), "\(signedIn.status)")
        // The plain-HTTP name is not read under TLS: a cookie set by a plain page counts for nothing.
        #expect(try http("GET", "/", headers: ["Cookie: runbook_token=\(tokens["bob"] ?? "")"]).status == 401)
    }
}
