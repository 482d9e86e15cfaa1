import Foundation
import RunbookCore
import RunbookDrivers
import Testing

@Suite("Run lock")
struct RunLockTests {
    @Test("a second run waits, then fails naming the holder; it gets the lock once released")
    func secondRunWaitsThenFails() async throws {
        let url = try TestDatabase.url()
        let key = "scenario-\(UInt32.random(in: 0...UInt32.max))@test"
        try await SQLDriver.withDriver(url: url) { first in
            try await SQLDriver.withDriver(url: url) { second in
                let held = try await first.acquireRunLock(key: key, holder: "alice (run 1111)", wait: .zero)
                do {
                    _ = try await second.acquireRunLock(key: key, holder: "bob (run 2222)", wait: .milliseconds(800), poll: .milliseconds(100))
                    Issue.record("the second acquire should have failed")
                } catch let error as RunLockHeld {
                    #expect(error.holder == "alice (run 1111)")
                    #expect(error.since != nil)
                    #expect(error.waited >= .milliseconds(800))
                    #expect(error.description.contains("alice (run 1111)"))
                    print("run lock: \(error)")
                }
                // Another key is free meanwhile.
                let other = try await second.acquireRunLock(key: key + "-other", holder: "bob (run 2222)", wait: .zero)
                await other.release()

                // Released while the second run waits: it gets the lock.
                async let waiting = second.acquireRunLock(key: key, holder: "bob (run 2222)", wait: .seconds(5), poll: .milliseconds(50))
                try await Task.sleep(for: .milliseconds(300))
                await held.release()
                let taken = try await waiting
                #expect(taken.holder == "bob (run 2222)")
                // A third sees bob now.
                do {
                    _ = try await first.acquireRunLock(key: key, holder: "carol (run 3333)", wait: .zero)
                    Issue.record("the lock should be held by bob")
                } catch let error as RunLockHeld {
                    #expect(error.holder == "bob (run 2222)")
                }
                await taken.release()
                await taken.release()  // idempotent
                #expect(taken.isReleased)
            }
        }
    }

    @Test("the lock goes with its connection when a run dies")
    func lockDiesWithConnection() async throws {
        let url = try TestDatabase.url()
        let key = "dies-\(UInt32.random(in: 0...UInt32.max))@test"
        try await SQLDriver.withDriver(url: url) { driver in
            var lock: RunLock? = try await driver.acquireRunLock(key: key, holder: "crashing (run 1)", wait: .zero)
            #expect(lock != nil)
            lock = nil  // dropped without release(): its connection closes
            let again = try await driver.acquireRunLock(key: key, holder: "next (run 2)", wait: .seconds(30), poll: .milliseconds(50))
            #expect(again.holder == "next (run 2)")
            await again.release()
        }
    }

    @Test("a database that is down: the lock attempt fails naming host and port")
    func lockDatabaseDown() async throws {
        let message = try await SQLDriver.withDriver(url: "postgres://runbook:Hidden-pw@127.0.0.1:1/x?sslmode=disable") { driver in
            await errorMessage { try await driver.acquireRunLock(key: "k", holder: "h", wait: .seconds(1)) }
        }
        #expect(message.contains("127.0.0.1:1"))
        #expect(!message.contains("Hidden-pw"))
    }
}
