import Foundation
import Hummingbird

/// Builds JSON responses, from PostgreSQL-rendered JSON text or from `Encodable` values.
enum JSONBody {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    /// A response whose body is `json`, already serialized.
    static func response(status: HTTPResponse.Status = .ok, json: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: json))
        )
    }

    /// A response whose body is `value` encoded as JSON.
    static func response(status: HTTPResponse.Status = .ok, encoding value: some Encodable) -> Response {
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":"could not encode response"}"#.utf8)
        return response(status: status, json: String(decoding: data, as: UTF8.self))
    }
}
