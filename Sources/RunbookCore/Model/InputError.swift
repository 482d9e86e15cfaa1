import Foundation

/// A bad input value: exit 2 with this message.
public struct InputError: Error, Sendable, CustomStringConvertible {
    /// The input's name.
    public var input: String
    /// What is wrong with the value (quotes the value given).
    public var message: String
    /// An error about input `input`.
    public init(_ input: String, _ message: String) {
        self.input = input
        self.message = message
    }
    /// `input 'name': message`.
    public var description: String { "input '\(input)': \(message)" }
}
