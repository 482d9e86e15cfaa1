/// The status of a check: its colour, or `error` when it could not run.
public enum CheckStatus: String, Sendable, Hashable, CaseIterable, Comparable {
    /// From best to worst: `green` (fine), `yellow` (look), `red` (a problem), `error` (could not
    /// run).
    case green, yellow, red, error

    var rank: Int {
        switch self {
        case .green: 0
        case .yellow: 1
        case .red: 2
        case .error: 3
        }
    }

    /// Worse is greater: green < yellow < red < error, so `max()` is the worst.
    public static func < (a: CheckStatus, b: CheckStatus) -> Bool { a.rank < b.rank }

    /// A Nagios plugin's exit code as a status: 0 green, 1 yellow, 2 red, anything else error.
    public static func nagios(exitCode: Int) -> CheckStatus {
        switch exitCode {
        case 0: .green
        case 1: .yellow
        case 2: .red
        default: .error
        }
    }
}
