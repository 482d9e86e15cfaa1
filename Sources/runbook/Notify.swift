import ArgumentParser
import Foundation
import RunbookCore
import RunbookRunner
import RunbookDrivers

/// `runbook notify test --env NAME CHANNEL`: sends a test message through one channel.
struct Notify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "Notification channels (the environment's notify.channels).",
        subcommands: [Test.self])

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "test",
            abstract: "Send a test message through a channel, with the retries a run uses.",
            discussion: "Exit codes: 0 delivered · 2 no such environment or channel, or the channel lacks a setting · 4 not delivered (the channel's answer is printed).")

        @OptionGroup var home: HomeOptions

        @Option(name: .customLong("env"), help: "Environment name (environments/NAME.yaml).")
        var environment: String = "sandbox"

        @Option(name: .customLong("operator"), help: "Who sends it (default: $RUNBOOK_OPERATOR or the login name).")
        var operatorFlag: String?

        @Argument(help: "The channel's name (notify.channels.NAME, or log or stdout).")
        var channel: String

        func run() async throws {
            let env: Environment
            do { env = try Environment.load(name: environment, home: home.home, processEnvironment: ProcessInfo.processInfo.environment) } catch {
                throw CommandFailure(diagnostics: error.diagnostics)
            }
            let redactor = Redactor(secrets: env.secrets)
            guard let target = env.notifyChannel(named: channel, home: home.home) else {
                throw CommandFailure(.usage, "error: \(env.path ?? environment): notify.channels has no channel '\(channel)'\(Suggest.didYouMean(channel, in: env.notifyChannelNames))"
                    + " (channels: \(env.notifyChannelNames.joined(separator: ", ")))")
            }
            let host = ProcessInfo.processInfo.hostName
            let who = operatorName(operatorFlag)
            let message = """
                🔔 Teste do canal \(target.name) — runbook notify test
                Environment: \(env.name) · Operator: \(who) · Host: \(host) · \(AuditLog.timestamp(Date()))
                Se esta mensagem chegou, o canal funciona.
                """
            let command = RenderedCommand.notify(.init(template: "notify-test", message: message, channels: [target],
                                                       origin: NotifyOrigin(runbook: "notify-test", title: "Channel test", runID: Executor.newRunID(),
                                                                            environment: env.name, step: "notify-test")))
            let drivers = RunDrivers(environment: env)
            let context = DriverContext(stepID: "notify-test", kind: .notify, timeout: .seconds(30), environment: env, redactor: redactor)
            let output: DriverOutput
            do {
                output = try await withDeadline(.seconds(30)) { try await drivers.registry[.notify]!.execute(command, context: context) }
            } catch let error as DriverError {
                await drivers.shutdown()
                throw CommandFailure(error.code == .configuration ? .usage : .unavailable, "error: \(redactor.redact(error.message))")
            } catch {
                await drivers.shutdown()
                throw CommandFailure(.unavailable, "error: \(redactor.redact("\(error)"))")
            }
            await drivers.shutdown()
            if target.kind == .stdout {
                for line in message.split(separator: "\n", omittingEmptySubsequences: false) { StandardStreams.out(TextReporter.escape(String(line)) + "\n") }
            }
            for line in output.excerpt.split(separator: "\n") {
                StandardStreams.out(TextReporter.escape(redactor.redact(String(line))) + "\n")
            }
            if !output.succeeded { throw CommandFailure(.unavailable) }
        }
    }
}
