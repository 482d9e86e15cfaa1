import Hummingbird

/// Strict readers of query parameters and path ids: anything malformed is a 400.
enum QueryParameters {
    static func limit(_ request: Request, default value: Int = 50, max: Int = 1000) throws -> Int {
        guard let text = request.uri.queryParameters["limit"] else { return value }
        guard let limit = Int(text), (1...max).contains(limit) else {
            throw APIError.badRequest("limit must be an integer from 1 to \(max)")
        }
        return limit
    }

    static func hours(_ request: Request, name: String, default value: Int) throws -> Int {
        guard let text = request.uri.queryParameters[Substring(name)] else { return value }
        guard let hours = Int(text), (1...8760).contains(hours) else {
            throw APIError.badRequest("\(name) must be an integer from 1 to 8760")
        }
        return hours
    }

    static func errorType(_ request: Request, name: String) throws -> ErrorType? {
        guard let text = request.uri.queryParameters[Substring(name)], !text.isEmpty else { return nil }
        guard let type = ErrorType(rawValue: String(text)) else {
            throw APIError.badRequest("\(name) must be one of \(ErrorType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return type
    }

    static func id(_ context: some RequestContext) throws -> Int64 {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text), id > 0 else {
            throw APIError.badRequest("id must be a positive integer, got '\(text.prefix(40))'")
        }
        return id
    }
}
