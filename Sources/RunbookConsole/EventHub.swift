import Foundation
import Logging
import PostgresNIO
import RunbookCore
import RunbookDrivers
import RunbookLedger
import ServiceLifecycle

/// The console's server-sent events, fed by the ledger's `LISTEN/NOTIFY`: one connection of
/// the console listens on `runbook_events` (a batch of records of a run was inserted) and
/// `runbook_approvals` (a decision), and every browser subscribed gets each event. A browser
/// that follows one run (`/api/events?run=ID`) also gets the run's steps rendered, once per
/// change for all its followers (one query and one rendering, however many follow it), so a
/// page needs no template of its own. No polling loop: without notifications nothing is read.
actor EventHub: Service {
    /// One event as sent to a browser.
    struct Event: Sendable {
        var name: String
        var data: String
        var sse: String { "event: \(name)\ndata: \(data)\n\n" }
    }

    struct Subscriber {
        var run: String?
        var continuation: AsyncStream<Event>.Continuation
    }

    let url: String
    let pool: LedgerPool
    let views: ConsoleViews
    let eventLoops: DriverEventLoops
    let logger: Logger
    var subscribers: [UUID: Subscriber] = [:]
    /// Runs whose steps are being rendered now, and whether another change came meanwhile.
    var rendering: [String: Bool] = [:]
    /// Events sent, for `/metrics`.
    private(set) var sent = 0
    /// Whether the hub listens now.
    private(set) var listening = false
    var stopped = false

    init(url: String, pool: LedgerPool, views: ConsoleViews, eventLoops: DriverEventLoops, logger: Logger) {
        self.url = url
        self.pool = pool
        self.views = views
        self.eventLoops = eventLoops
        self.logger = logger
    }

    /// A stream of events: every run's records and decisions, or (`run`) one run's, starting
    /// with its steps as they are now.
    func subscribe(run: String?) -> (UUID, AsyncStream<Event>) {
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(64))
        if stopped {
            continuation.finish()
            return (id, stream)
        }
        continuation.onTermination = { _ in Task { await self.remove(id) } }
        subscribers[id] = Subscriber(run: run, continuation: continuation)
        continuation.yield(Event(name: "hello", data: JSON.encode(.object([("listening", .bool(listening))]))))
        if let run { changed(run: run) }
        return (id, stream)
    }

    func remove(_ id: UUID) { subscribers[id] = nil }

    /// Ends subscriber `id`'s stream (its request is shutting down).
    func finish(_ id: UUID) {
        subscribers[id]?.continuation.finish()
        subscribers[id] = nil
    }

    /// How many browsers are subscribed.
    var count: Int { subscribers.count }

    func broadcast(_ event: Event, run: String?) {
        for s in subscribers.values where s.run == nil || s.run == run {
            s.continuation.yield(event)
            sent += 1
        }
    }

    /// A notification on `runbook_events`: `{"run_id", "seq", "event"}`.
    func recordsInserted(_ payload: String) {
        let object = (try? JSON.parse(payload))?.objectValue
        let run = object?["run_id"]?.stringValue
        broadcast(Event(name: "record", data: payload), run: run)
        if let run { changed(run: run) }
    }

    /// Renders run `run`'s steps for its followers, one rendering at a time per run; a change
    /// during a rendering renders once more after it.
    func changed(run: String) {
        guard subscribers.values.contains(where: { $0.run == run }) else { return }
        if rendering[run] != nil {
            rendering[run] = true
            return
        }
        rendering[run] = false
        Task { await self.render(run: run) }
    }

    func render(run: String) async {
        while true {
            let data: String?
            do {
                data = try await pool.with { ledger in
                    let records = try await ledger.records(runID: run)
                    let summary = try await ledger.run(id: run)
                    let timeline = RunTimeline(records)
                    return JSON.encode(.object([("run_id", .string(run)), ("seq", .int(timeline.lastSeq)),
                                                ("status", .string(summary?.displayStatus ?? timeline.status ?? "running")),
                                                ("html", .string(self.views.runLive(timeline, summary: summary)))]))
                }
            } catch {
                logger.warning("console: cannot read run \(run): \(error)")
                data = nil
            }
            if let data { broadcast(Event(name: "run", data: data), run: run) }
            if rendering[run] == true {
                rendering[run] = false
                continue
            }
            rendering[run] = nil
            return
        }
    }

    /// A notification on `runbook_approvals`: the request id.
    func decided(_ requestID: String) {
        broadcast(Event(name: "approval", data: JSON.encode(.object([("request_id", .string(requestID))]))), run: nil)
    }

    func ping() {
        for s in subscribers.values { s.continuation.yield(Event(name: "ping", data: "{}")) }
    }

    func setListening(_ on: Bool) { listening = on }

    func stop() {
        stopped = true
        for s in subscribers.values { s.continuation.finish() }
        subscribers = [:]
    }

    /// Listens until the service group shuts down; reconnects a second after the ledger drops
    /// the connection. On shutdown every stream ends (each event request also ends itself on
    /// shutdown: ``ConsoleRoutes``).
    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(15))
                        await self.ping()
                    }
                }
                group.addTask { await self.listenLoop() }
            }
        }
        stop()
    }

    nonisolated func listenLoop() async {
        while !Task.isCancelled {
            do {
                let ledger = try await Ledger.connect(url: url, eventLoops: eventLoops)
                defer { Task { await ledger.close() } }
                try await ledger.connection.listen(on: "runbook_events") { events in
                    try await ledger.connection.listen(on: "runbook_approvals") { approvals in
                        await self.setListening(true)
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask { for try await n in events { await self.recordsInserted(n.payload) } }
                            group.addTask { for try await n in approvals { await self.decided(n.payload) } }
                            try await group.next()
                            group.cancelAll()
                        }
                    }
                }
            } catch {
                if Task.isCancelled { break }
                logger.warning("console: listening to the ledger failed, again in 1 s: \(error)")
            }
            await setListening(false)
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
