import Hummingbird

/// An API failure, answered as `{"error": "..."}` with its HTTP status.
public struct APIError: Error, HTTPResponseError, CustomStringConvertible {
    /// HTTP status of the answer.
    public var status: HTTPResponse.Status
    /// The text of `error` in the answer.
    public var message: String

    /// Creates an error.
    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status.code) \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONBody.response(status: status, encoding: ["error": message])
    }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }
}
