import Foundation

/// `application/x-www-form-urlencoded` fields (`a=1&b=x+y`), the last of a repeated name winning.
enum FormFields {
    static func parse(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            guard let key = kv.first.map(decode), !key.isEmpty else { continue }
            fields[key] = kv.count > 1 ? decode(kv[1]) : ""
        }
        return fields
    }
}
