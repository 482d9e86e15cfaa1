import Foundation

/// The per-request check that the runner's files still hash to the policy it pinned, shared by
/// the requests of a burst: a request waits for a hash of the files that *started after it
/// arrived* (so a change made before a request is always seen by its check), and every request
/// that arrived before that hash started takes its result. Fifty requests at once hash the
/// files two or three times, not fifty.
actor RunnerPolicyCheck {
    let home: URL
    let extra: [URL]
    /// How many hashes were started.
    private var started = 0
    /// The hash running now, and its number.
    private var current: (number: Int, task: Task<String, Never>)?

    init(home: URL, extra: [URL]) {
        self.home = home
        self.extra = extra
    }

    /// The digest of the files now, by a hash started after this call.
    func digest() async -> String {
        let need = started + 1
        while true {
            if let running = current {
                let value = await running.task.value
                if current?.number == running.number { current = nil }
                if running.number >= need { return value }
                continue
            }
            started += 1
            let number = started
            let home = self.home
            let extra = self.extra
            let task = Task.detached { RunnerPolicy.pin(home: home, extra: extra).digest }
            current = (number, task)
            let value = await task.value
            if current?.number == number { current = nil }
            return value
        }
    }
}
