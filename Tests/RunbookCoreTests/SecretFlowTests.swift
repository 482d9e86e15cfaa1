import Foundation
import Testing
@testable import RunbookCore

/// A secret may reach a header, a process environment variable or stdin; never a shell argv,
/// a URL or text that is shown.
@Suite("Secrets stay out of argv, URLs and output")
struct SecretFlowTests {
    let home = TestHome()

    init() {
        home.write("environments/sandbox.yaml", """
            environment: sandbox
            database: {url: "${DB_URL:-postgres://etl:etl@127.0.0.1:55432/etl}"}
            api: {url: "${API_URL:-http://127.0.0.1:18080}", token: "${API_TOKEN}"}
            logs: .sandbox/logs
            vault: {key: "${VAULT_KEY}"}
            commands:
              status: [tool, status]
              leaky: [tool, --token, "${API_TOKEN}"]
            secrets: [API_TOKEN, DB_URL]
            """)
        home.write("environments/production.yaml", """
            environment: production
            vault: {key: "${VAULT_KEY}"}
            secrets: [VAULT_KEY]
            """)
    }

    func runbook(_ steps: String, inputs: String = "") -> [String] {
        home.lint("t", "runbook: t\ntitle: T\n\(inputs)steps:\n\(steps)")
    }

    @Test func secretEnvironmentKeysComeFromEveryEnvironmentFile() {
        let keys = home.loader.secretEnvironmentKeys
        #expect(keys.secret(reachedBy: ["api", "token"]) != nil)
        #expect(keys.secret(reachedBy: ["database", "url"])?.reason == "DB_URL in environments/sandbox.yaml")
        // Secret in production only is secret everywhere.
        #expect(keys.secret(reachedBy: ["vault", "key"])?.reason == "VAULT_KEY in environments/production.yaml")
        #expect(keys.secret(reachedBy: ["api"])?.path == ["api", "token"])
        #expect(keys.secret(reachedBy: ["api", "url"]) == nil)
        #expect(keys.secret(reachedBy: ["logs"]) == nil)
    }

    @Test func secretInShellArgvIsAnError() {
        let d = runbook("  - check: a\n    shell: [curl, -H, \"Authorization: Bearer ${{ env.api.token }}\", \"${{ env.api.url }}\"]\n")
        #expect(d.contains { $0.hasPrefix("5:50: in 'shell' of step 'a': env.api.token (the API's bearer token) is a secret; a shell argv") }, "\(d)")
        #expect(d.count == 1, "env.api.url is not a secret: \(d)")
    }

    @Test func transformedSecretsAreStillSecrets() {
        for expression in ["upper(env.api.token)", "substring(env.database.url, 0, 5)", "env.api", "env['api']['token']", "env.vault.key + 'x'"] {
            let d = runbook("  - check: a\n    shell: [echo, \"${{ \(expression) }}\"]\n")
            #expect(d.contains { $0.contains("is a secret; a shell argv") }, "\(expression): \(d)")
        }
    }

    @Test func secretInputsInArgsAndURLs() {
        let inputs = "inputs:\n  password: {type: string, secret: true, required: true}\n  name: {type: string, default: x}\n"
        let shell = runbook("  - check: a\n    command: status\n    args: [\"${{ inputs.password }}\", \"${{ inputs.name }}\"]\n", inputs: inputs)
        #expect(shell.contains { $0.contains("in 'args' of step 'a': inputs.password (secret: true) is a secret") }, "\(shell)")
        #expect(shell.count == 1)
        let url = runbook("  - check: a\n    http: {url: \"${{ env.api.url }}/x/${{ inputs.password }}\"}\n", inputs: inputs)
        #expect(url.contains { $0.contains("in 'url' of step 'a': inputs.password (secret: true) is a secret; a URL") }, "\(url)")
        let query = runbook("  - check: a\n    http: {url: \"${{ env.api.url }}/x\", query: {k: \"${{ env.api.token }}\"}}\n")
        #expect(query.contains { $0.contains("in 'query.k' of step 'a'") }, "\(query)")
        let confirm = runbook("  - action: a\n    confirm: \"Use ${{ inputs.password }}?\"\n    shell: [\"true\"]\n", inputs: inputs)
        #expect(confirm.contains { $0.contains("in 'confirm' of step 'a'") && $0.contains("shown") }, "\(confirm)")
    }

    @Test func headersEnvironmentAndStdinAreAllowed() {
        let inputs = "inputs:\n  password: {type: string, secret: true, required: true}\n"
        let d = runbook("""
              - check: a
                shell: [tool, --from-env]
                env: {TOKEN: "${{ env.api.token }}", PW: "${{ inputs.password }}"}
                stdin: "${{ env.database.url }}"
              - check: b
                http: {url: "${{ env.api.url }}/x", headers: {X-Key: "${{ env.vault.key }}"}, auth: bearer}
              - action: c
                confirm: ok?
                sql: SELECT :p
                params: {p: inputs.password}

            """, inputs: inputs)
        #expect(d.isEmpty, "\(d)")
    }

    @Test func namedCommandWithASecretInItsArgv() {
        let d = runbook("  - action: a\n    confirm: ok?\n    command: leaky\n")
        #expect(d.contains { $0.hasPrefix("6:14: command 'leaky' has a secret in its argv (env.commands.leaky.2") }, "\(d)")
    }

    @Test func reusableChecksAndTheirBindings() {
        home.write("checks/leak.yaml", "check: leak\ninputs:\n  v: {type: string}\nshell: [echo, \"${{ inputs.v }}\"]\n")
        let d = runbook("  - check: a\n    use: leak\n    with: {v: env.api.token}\n")
        #expect(d.contains { $0.hasPrefix("6:15: in 'with.v' of step 'a': env.api.token (the API's bearer token) is a secret, and check 'leak' puts input 'v' in 'shell'") }, "\(d)")
        #expect(runbook("  - check: a\n    use: leak\n    with: {v: env.api.url}\n").isEmpty)
        // A check file that puts a secret into its own argv is an error of the check.
        home.write("checks/own.yaml", "check: own\ninputs:\n  k: {type: string, secret: true}\nshell: [echo, \"${{ inputs.k }}\", \"${{ env.api.token }}\"]\n")
        let own = home.loader.loadCheck(at: home.url.appendingPathComponent("checks/own.yaml")).diagnostics.map(\.message)
        #expect(own.count == 2, "\(own)")
        #expect(own.allSatisfy { $0.contains("is a secret; a shell argv") })
    }

    @Test func notifyTemplatesMustNotShowSecrets() {
        home.write("templates/leak.md", "token: ${{ env.api.token }}\n")
        home.write("templates/fine.md", "api: ${{ env.api.url }}\n")
        let d = runbook("  - notify: n\n    template: leak\n  - notify: m\n    template: fine\n")
        #expect(d.count == 1)
        #expect(d.first?.hasPrefix("5:15: template 'leak' of step 'n' shows env.api.token") == true, "\(d)")
    }
}
