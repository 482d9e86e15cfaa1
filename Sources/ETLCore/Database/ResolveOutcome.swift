/// What `POST /dlq/{id}/resolve` found.
public enum ResolveOutcome: Sendable, Equatable {
    /// The entry is now resolved.
    case resolved
    /// It was resolved before.
    case alreadyResolved
    /// No such entry.
    case notFound
}
