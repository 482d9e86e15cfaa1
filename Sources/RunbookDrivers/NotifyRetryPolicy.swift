public import Foundation

/// When a failed delivery is tried again, decided without I/O: three tries in all; only a
/// `429`, a `5xx` or no answer at all (refused, reset, timed out) is worth another; the wait is
/// the receiver's `Retry-After` when it sends one (seconds or an HTTP date), else a doubling
/// backoff. A wait longer than ``maxWait``, or one that would not leave time for another try
/// before the step's deadline, gives up now rather than hold up the run.
public struct NotifyRetryPolicy: Sendable, Hashable {
    /// How many tries in all (default 3).
    public var tries: Int
    /// The first wait without `Retry-After`; each later one doubles (default 1s, then 2s).
    public var backoff: Duration
    /// The longest `Retry-After` honoured (default 10s); a receiver asking for more is given up on.
    public var maxWait: Duration

    /// A policy; the defaults are what runs use.
    public init(tries: Int = 3, backoff: Duration = .seconds(1), maxWait: Duration = .seconds(10)) {
        self.tries = tries
        self.backoff = backoff
        self.maxWait = maxWait
    }

    /// What to do after a failed try.
    public enum Decision: Sendable, Hashable {
        /// Try again after this pause.
        case retry(after: Duration)
        /// Stop: the words say why (appended to the failure).
        case giveUp(String)
    }

    /// Whether an HTTP answer is worth another try: `429` and `5xx` (`nil`, no answer, is too).
    public static func retryable(httpStatus status: Int?) -> Bool {
        guard let status else { return true }
        return status == 429 || (500...599).contains(status)
    }

    /// The decision after try number `attempt` (from 1) failed; `retryable` says whether the
    /// failure may pass (see ``retryable(httpStatus:)``), `retryAfter` is the header's value if
    /// any, `remaining` the time left before the step's deadline, `now` the time the header's
    /// date is measured from.
    public func decide(attempt: Int, retryable: Bool, retryAfter: String? = nil, remaining: Duration, now: Date = Date()) -> Decision {
        guard retryable else { return .giveUp("not retried: trying again would not change the answer") }
        if attempt >= tries { return .giveUp("gave up after \(attempt) tr\(attempt == 1 ? "y" : "ies")") }
        var wait = backoff * (1 << (attempt - 1))
        if let retryAfter, let asked = Self.parseRetryAfter(retryAfter, now: now) {
            if asked > maxWait {
                return .giveUp("the receiver asked to retry after \(Self.format(asked)), more than the \(Self.format(maxWait)) a notification waits")
            }
            wait = asked
        }
        if wait >= remaining {
            return .giveUp("no time left for another try within the step's timeout")
        }
        return .retry(after: wait)
    }

    /// `Retry-After`: delay-seconds, or an HTTP date (a date in the past is no wait); nil when
    /// it is neither.
    public static func parseRetryAfter(_ value: String, now: Date = Date()) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(text), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        return .milliseconds(max(0, Int((date.timeIntervalSince(now) * 1000).rounded(.up))))
    }

    static func format(_ d: Duration) -> String {
        let ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        return ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms)ms"
    }
}
