import RunbookCore
import RunbookLedger
import Testing

/// The one fold of a run's audit records: records written from the executor's typed
/// ``AuditEvent``s, read back once as ``RunEvent``s into a ``RunTimeline``.
@Suite("Run timeline")
struct RunTimelineTests {
    /// A record as the audit log writes `event`.
    static func record(_ event: AuditEvent, seq: Int) -> ValueObject {
        ValueObject([("seq", .int(seq)), ("ts", .string("2026-01-01T00:00:\(seq < 10 ? "0" : "")\(seq)Z")), ("event", .string(event.name)),
                     ("run_id", .string("run-1"))] + event.fields)
    }

    static let started = AuditEvent.runStarted(.init(runbook: "rb", runbookSHA256: "abc", runbookPath: "runbooks/rb.yaml", environment: "sandbox",
                                                     mode: "live", operatorName: "alice", host: "h1", inputs: .object(ValueObject([("k", .string("***"))])),
                                                     runLock: "held: rb"))

    @Test("interleaved steps are kept apart, in the order they began; gates, ends and the run's end are read once")
    func fold() {
        let events: [AuditEvent] = [
            Self.started,
            .stepStarted(step: "a", kind: .check, command: .string("SELECT 1")),
            .stepStarted(step: "b", kind: .action, command: .list([.string("echo"), .string("hi")])),
            .stepEnded(.init(step: "a", kind: .check, status: .check(.green), durationMs: 5, attempts: 1, outputSHA256: nil, excerpt: "1", message: nil)),
            .gateDecision(.init(step: "b", risk: .high, decision: .approved, by: "alice", how: "--approve REQ", command: .null)),
            .stepEnded(.init(step: "b", kind: .action, status: .action(.succeeded), durationMs: 7, attempts: 2, outputSHA256: nil, excerpt: "hi",
                             message: "retried")),
            .runEnded(status: "green", exitCode: 0, durationMs: 20, message: nil),
        ]
        var records = events.enumerated().map { Self.record($1, seq: $0 + 1) }
        records.insert(ValueObject([("seq", .int(99)), ("ts", .string("t")), ("event", .string("checkpoint.signed")), ("run_id", .string("run-1"))]), at: 1)
        let t = RunTimeline(records)
        #expect(t.runbook == "rb" && t.operatorName == "alice" && t.runLock == "held: rb" && t.runbookPath == "runbooks/rb.yaml")
        #expect(t.inputs.map(\.key) == ["k"] && t.inputs.map(\.value) == ["***"])
        #expect(t.steps.map(\.id) == ["a", "b"])
        #expect(t.steps[0].events.map(\.name) == ["step.started", "step.ended"])
        #expect(t.steps[1].events.map(\.name) == ["step.started", "gate.decision", "step.ended"])
        #expect(t.steps[0].status == "green" && t.steps[0].command == "SELECT 1")
        #expect(t.steps[1].command == "echo hi" && t.steps[1].attempts == 2 && t.steps[1].message == "retried")
        #expect(t.steps[1].gates.map(\.decision) == ["approved"])
        #expect(t.runEvents.map(\.name) == ["run.started", "checkpoint.signed"])
        #expect(t.endEvents.count == 1 && t.status == "green" && t.exitCode == 0 && t.durationMs == 20)
        #expect(t.lastSeq == 99)
    }

    @Test("a run that ended leaves no step running: a step stopped at its gate shows the gate's word")
    func stoppedAtGate() {
        let events: [AuditEvent] = [
            Self.started,
            .gateDecision(.init(step: "fix", risk: .high, decision: .awaitingApproval, by: "alice", how: "none", command: .string("restart"))),
            .runEnded(status: "awaiting-approval", exitCode: 3, durationMs: 1, message: "approval pending"),
        ]
        let t = RunTimeline(events.enumerated().map { Self.record($1, seq: $0 + 1) })
        #expect(t.steps.map(\.displayStatus) == ["awaiting-approval"])
        #expect(t.steps[0].command == "restart")
        let running = RunTimeline(Array(events.prefix(2)).enumerated().map { Self.record($1, seq: $0 + 1) })
        #expect(running.steps.map(\.displayStatus) == ["running"] && running.endEvents.isEmpty)
    }
}
