import Foundation
import Testing
@testable import RunbookCore

/// `runbook plan` is the executor asked to render only: every runbook of the project plans,
/// each step with its command, except where it reads a result only a run can know.
@Suite("Plan every runbook")
struct PlanEveryRunbookTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let ids = RunbookLoader(home: root).runbookFiles().map(\.id)

    @Test func theProjectHasRunbooks() {
        #expect(Self.ids.count >= 12, "\(Self.ids)")
    }

    @Test(arguments: ids)
    func plans(_ id: String) async throws {
        let loader = RunbookLoader(home: Self.root)
        let url = try #require(loader.url(forRunbook: id))
        let (loaded, diagnostics) = loader.loadRunbook(at: url)
        let runbook = try #require(loaded, "\(diagnostics)")
        let environment = try Environment.load(name: "sandbox", home: Self.root, processEnvironment: ["ETL_API_TOKEN": "t0ken-s3cret"])
        // A value of the right type for every required input.
        let samples: [InputSpec.Kind: String] = [.string: "x", .int: "1", .number: "1.5", .bool: "true",
                                                 .uuid: "00000000-0000-4000-8000-000000000000", .duration: "1m"]
        let given = runbook.inputs.filter { $0.defaultValue == nil }.compactMap { input in
            (input.kind == .enum ? input.values.first : samples[input.kind]).map { "\(input.name)=\($0)" }
        }
        let inputs = try InputResolver.resolve(given, for: runbook)
        var request = Executor.Request(runbook: runbook, environment: environment, inputs: inputs, mode: .plan, operatorName: "ana", host: "h")
        request.escalation = try Escalation.load(home: Self.root)
        let report = await Executor.plan(request, renderer: CommandRenderer(environment: environment, home: Self.root),
                                         redactor: Redactor(secrets: environment.secrets))

        #expect(report.steps.map(\.id) == runbook.steps.map(\.id), "every step is planned, none stops the plan")
        for (step, planned) in zip(runbook.steps, report.steps) {
            if planned.status == .planned {
                #expect(planned.command?.isEmpty == false, "\(id)/\(step.id) has no command")
                #expect(planned.command?.contains("t0ken-s3cret") == false, "\(id)/\(step.id) shows the token")
            } else {
                // Only a value a run produces may be missing: an earlier step's result.
                #expect(planned.message?.contains("steps.") == true || planned.message?.contains("result") == true,
                        "\(id)/\(step.id): \(planned.status): \(planned.message ?? "")")
            }
            if step.kind == .notify {
                #expect(planned.status == .planned, "\(id)/\(step.id) notify does not render: \(planned.message ?? "")")
            }
        }
    }
}
