import Foundation

/// Where gates ask: a terminal (y/N or typing the action id).
public protocol GateTerminal: Sendable {
    /// Shows `prompt` and reads one line; nil at end of input.
    func ask(_ prompt: String) async -> String?
}
