import Foundation

/// The drivers a run may use, by kind: an explicit registry, not a global.
public struct DriverRegistry: Sendable {
    private var drivers: [DriverKind: any StepDriver]

    /// A registry of `drivers`; empty by default (what `runbook plan` uses, since nothing runs).
    public init(_ drivers: [DriverKind: any StepDriver] = [:]) { self.drivers = drivers }

    /// The driver for `kind`; nil when this build has none (the step then fails with a
    /// `configuration` error, exit 2).
    public subscript(kind: DriverKind) -> (any StepDriver)? {
        get { drivers[kind] }
        set { drivers[kind] = newValue }
    }
}
