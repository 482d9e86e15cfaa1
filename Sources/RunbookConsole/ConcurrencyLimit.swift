/// At most `limit` holders at once; the others wait in order. Counts the highest number that
/// ever held it at once (the alert storm's bound, shown in /metrics).
actor ConcurrencyLimit {
    let limit: Int
    private(set) var running = 0
    private(set) var peak = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(_ limit: Int) { self.limit = max(1, limit) }

    /// Waits for a place.
    func acquire() async {
        if running < limit {
            running += 1
            peak = max(peak, running)
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    /// Gives the place to the next waiter, or frees it.
    func release() {
        if waiters.isEmpty {
            running -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}
