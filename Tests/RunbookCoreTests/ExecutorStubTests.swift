import Foundation
import Synchronization
import Testing
@testable import RunbookCore

/// A driver that answers from a table, counts what it was asked, and can hang.
final class StubDriver: StepDriver, @unchecked Sendable {
    enum Answer: Sendable {
        case output(DriverOutput)
        case failure(DriverError)
        /// Never returns, and ignores cancellation (a driver stuck in a dead connection).
        case hang
        /// Answers exit 0 once `release` yields (a slow check the test lets finish).
        case held(_ release: AsyncStream<Void>)
    }

    private let lock = NSLock()
    private var answers: [String: Answer]
    private var calls: [String] = []

    init(_ answers: [String: Answer]) { self.answers = answers }

    /// The steps performed so far, in order.
    var performed: [String] { lock.withLock { calls } }

    func execute(_ command: RenderedCommand, context: DriverContext) async throws -> DriverOutput {
        let answer = lock.withLock { () -> Answer? in
            calls.append(context.stepID)
            return answers[context.stepID]
        }
        switch answer ?? .output(Self.exit(0)) {
        case .output(let o): return o
        case .failure(let e): throw e
        case .hang:
            // Deaf to cancellation, like a read on a connection the server never answers.
            await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
            fatalError("unreachable")
        case .held(let release):
            for await _ in release { break }
            return Self.exit(0)
        }
    }

    static func exit(_ code: Int, stdout: String = "") -> DriverOutput {
        DriverOutput(result: .object([("exit_code", .int(code)), ("stdout", .string(stdout))]), succeeded: code == 0, excerpt: stdout, digest: "d\(code)")
    }
}

/// An audit sink in memory.
final class MemoryAudit: AuditSink, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var events: [(name: String, sync: Bool)] = []
    var failAfter: Int?

    func record(_ event: AuditEvent, runID: String, sync: Bool) throws(AuditError) {
        lock.lock()
        defer { lock.unlock() }
        if let n = failAfter, events.count >= n { throw AuditError("disk full") }
        events.append((event.name, sync))
    }

    func flush() throws(AuditError) {}
    var names: [String] { lock.withLock { events.map(\.name) } }
}

/// The step lines a run's output shows, in the order the observer got them.
final class FinishedSteps: RunObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [String] = []
    private let (stream, continuation) = AsyncStream.makeStream(of: String.self)
    var finished: [String] { lock.withLock { ids } }
    /// Each id as it is shown.
    var shown: AsyncStream<String> { stream }
    func runStarted(_ report: RunReport) {}
    func stepStarted(_ step: Step, command: String?) {}
    func stepFinished(_ step: StepReport) {
        lock.withLock { ids.append(step.id) }
        continuation.yield(step.id)
    }
    func runFinished(_ report: RunReport) {}
}

/// A lease that is lost from the start.
struct LostLease: RunLease {
    struct Lost: Error, CustomStringConvertible { var description: String { "backend terminated" } }
    func verify() async throws { throw Lost() }
}

/// The executor with stub drivers: no processes, no database, no clock to wait on.
@Suite("Executor with stub drivers")
struct ExecutorStubTests {
    let home = TestHome()

    func prepare(_ yaml: String, driver: StubDriver, mode: Planner.Mode, audit: MemoryAudit = MemoryAudit(),
                 lease: (any RunLease)? = nil, observer: (any RunObserver)? = nil) throws -> (Executor, Executor.Request)
    {
        let (loaded, diagnostics) = home.runbook("t", yaml)
        let runbook = try #require(loaded, "\(diagnostics)")
        let executor = Executor(drivers: DriverRegistry([.shell: driver]), audit: audit,
                                renderer: CommandRenderer(environment: .empty(name: "e"), home: home.url), redactor: Redactor(),
                                observer: observer, lease: lease)
        return (executor, .init(runbook: runbook, environment: .empty(name: "e"), inputs: [:], mode: mode, operatorName: "ana", host: "h"))
    }

    func run(_ yaml: String, driver: StubDriver, mode: Planner.Mode, audit: MemoryAudit = MemoryAudit(), lease: (any RunLease)? = nil) async throws -> RunReport {
        let (executor, request) = try prepare(yaml, driver: driver, mode: mode, audit: audit, lease: lease)
        return await executor.run(request)
    }

    static let repair = """
        runbook: t
        title: T
        steps:
          - check: probe
            shell: [probe]
          - action: fix
            when: steps.probe.status == "red"
            risk: low
            confirm: "fix?"
            shell: [fix]
        """

    @Test func aRedProbeLeadsToTheFixWithYes() async throws {
        let driver = StubDriver(["probe": .output(StubDriver.exit(1))])
        let audit = MemoryAudit()
        let report = try await run(Self.repair, driver: driver, mode: .init(dryRun: false, yes: true), audit: audit)
        #expect(driver.performed == ["probe", "fix"])
        #expect(report.steps.map(\.status) == [.red, .succeeded])
        #expect(report.exitCode == 1)
        #expect(audit.names == ["run.started", "step.started", "step.ended", "gate.decision", "step.started", "step.ended", "run.ended"])
    }

    @Test func aDryRunNeverPerformsTheAction() async throws {
        let driver = StubDriver(["probe": .output(StubDriver.exit(1))])
        let report = try await run(Self.repair, driver: driver, mode: .init(dryRun: true, yes: true, approvals: ["fix"]))
        #expect(driver.performed == ["probe"])
        #expect(report.steps.map(\.status) == [.red, .planned])
    }

    @Test func aLostLeaseStopsBeforeTheAction() async throws {
        let driver = StubDriver(["probe": .output(StubDriver.exit(1))])
        let report = try await run(Self.repair, driver: driver, mode: .init(dryRun: false, yes: true), lease: LostLease())
        #expect(driver.performed == ["probe"])
        #expect(report.steps.last?.status == .failed)
        #expect(report.steps.last?.message?.contains("lost the run lock") == true)
        #expect(report.exitCode == 4)
    }

    @Test func aDriverDeafToCancellationStillEndsAtItsDeadline() async throws {
        let driver = StubDriver(["probe": .hang])
        let yaml = "runbook: t\ntitle: T\nsteps:\n  - check: probe\n    timeout: 200ms\n    shell: [probe]\n  - check: next\n    shell: [next]\n"
        let report = try await run(yaml, driver: driver, mode: .init(dryRun: true))
        #expect(report.steps.map(\.status) == [.error, .green])
        #expect(report.steps[0].message?.contains("timed out after 200ms") == true)
        #expect(report.exitCode == 4)
    }

    @Test func unreachableRedOnlyForUnreachable() async throws {
        let yaml = "runbook: t\ntitle: T\nsteps:\n  - check: probe\n    unreachable: red\n    shell: [probe]\n"
        let down = try await run(yaml, driver: StubDriver(["probe": .failure(DriverError(.unreachable, "connection refused"))]), mode: .init(dryRun: true))
        #expect(down.steps[0].status == .red)
        #expect(down.exitCode == 1)
        let misconfigured = try await run(yaml, driver: StubDriver(["probe": .failure(DriverError(.configuration, "environments/e.yaml: no database.url"))]), mode: .init(dryRun: true))
        #expect(misconfigured.steps[0].status == .error)
        #expect(misconfigured.exitCode == 2)
    }

    @Test func anAuditThatFailsMidRunStopsEverything() async throws {
        let driver = StubDriver(["probe": .output(StubDriver.exit(1))])
        let audit = MemoryAudit()
        audit.failAfter = 3  // run.started, step.started, step.ended: then the disk is full
        let report = try await run(Self.repair, driver: driver, mode: .init(dryRun: false, yes: true), audit: audit)
        #expect(driver.performed == ["probe"], "an action ran without its audit record")
        #expect(report.exitCode == 4)
        #expect(report.message?.contains("audit log cannot be written") == true)
    }

    @Test func cancellingTheRunInterruptsIt() async throws {
        let driver = StubDriver(["probe": .hang])
        let yaml = "runbook: t\ntitle: T\nsteps:\n  - check: probe\n    shell: [probe]\n  - check: next\n    when: steps.probe.status == \"green\"\n    shell: [next]\n"
        let (executor, request) = try prepare(yaml, driver: driver, mode: .init(dryRun: true))
        let task = Task { await executor.run(request) }
        while driver.performed.isEmpty { await Task.yield() }
        task.cancel()
        let report = await task.value
        #expect(report.exitCode == 130)
        #expect(report.status == .aborted)
        #expect(driver.performed == ["probe"])
    }

    @Test func aGroupShowsEachStepOnceTheStepsBeforeItEnded() async throws {
        // Three checks that run at once; the second is slow. The first shows while the second
        // still runs; the third (done at once too) only after the second: the runbook's order.
        let (release, releaser) = AsyncStream.makeStream(of: Void.self)
        let driver = StubDriver(["slow": .held(release)])
        let observer = FinishedSteps()
        let yaml = "runbook: t\ntitle: T\nsteps:\n  - check: quick\n    shell: [quick]\n  - check: slow\n    shell: [slow]\n"
            + "  - check: third\n    shell: [third]\n"
        #expect(Planner.groups(try #require(home.runbook("t", yaml).0).steps) == [0..<3])
        let (executor, request) = try prepare(yaml, driver: driver, mode: .init(dryRun: true), observer: observer)
        let task = Task { await executor.run(request) }
        // A watchdog, so that the old grouping (nothing shown before "slow" ends) fails instead of hanging.
        let released = Mutex(false)
        let watchdog = Task {
            try await Task.sleep(for: .seconds(30))
            released.withLock { $0 = true }
            releaser.yield()
        }
        var shown = observer.shown.makeAsyncIterator()
        #expect(await shown.next() == "quick")
        #expect(!released.withLock { $0 }, "the first step showed only once the slow one ended")
        #expect(observer.finished == ["quick"])
        releaser.yield()
        let report = await task.value
        watchdog.cancel()
        #expect(observer.finished == ["quick", "slow", "third"])
        #expect(report.steps.map(\.id) == ["quick", "slow", "third"])
    }
}
