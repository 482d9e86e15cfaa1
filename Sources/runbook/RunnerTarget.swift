import ArgumentParser
import Foundation
import RunbookCore
import RunbookDrivers
import RunbookRunner

/// The runner of an environment and the operator's key that signs what goes to it; exit 2
/// (said on standard error) when the environment names no url or no key is given.
struct RunnerTarget {
    let environment: Environment
    let url: String
    let key: String

    init(_ env: Environment, keyFlag: String?, what: String = "sends its commands to", nothing: String = "nothing was done") throws {
        guard let url = env.runnerURL else {
            let unset = env.unsetVariables["runner.url"].map { " ($\($0) is not set)" } ?? ""
            throw CommandFailure(.usage, "error: environment '\(env.name)' names a runner without a url (runner: {url: ...} in \(env.path ?? "its file"))\(unset); \(nothing)")
        }
        guard let key = OperatorIdentity.keyPath(flag: keyFlag, environment: ProcessInfo.processInfo.environment) else {
            throw CommandFailure(.usage, "error: environment '\(env.name)' \(what) its runner (\(url)): the request needs your SSH key, --key FILE or RUNBOOK_SIGNING_KEY; \(nothing)")
        }
        environment = env
        self.url = url
        self.key = key
    }

    /// This process's command line, signed, sent, and its answer said here.
    func send(decision: RunnerCommandRequest.Decision? = nil) async throws -> RunnerClient.Outcome {
        let request = RunnerCommandRequest(command: Array(CommandLine.arguments.dropFirst()), environment: environment.name, decision: decision)
        return await RunnerClient.command(request, url: url, key: key, output: standardOutput)
    }
}
