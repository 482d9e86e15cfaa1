import Foundation

/// Percent-encoding that keeps a value inside one URL component.
public enum URLEncoding {
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Encodes everything but unreserved characters: `/`, `?`, `#`, `&`, `..` cannot escape the segment.
    public static func segment(_ s: String) -> String {
        let encoded = s.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
        if encoded == "." { return "%2E" }
        if encoded == ".." { return "%2E%2E" }
        return encoded
    }

    /// Encodes a query name or value: everything but unreserved characters, so `&`, `=`, `+`
    /// and `#` cannot split it.
    public static func query(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}
