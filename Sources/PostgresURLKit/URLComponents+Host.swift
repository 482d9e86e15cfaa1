public import Foundation

extension URLComponents {
    /// The host as written in the URL (percent-decoded), read from `rangeOfHost`. The `host`
    /// property validates it with ICU's IDNA on first use, which maps about 1.3 MiB of ICU
    /// into a run that otherwise never needs it; hosts here are names or IP literals.
    public var writtenHost: String? {
        guard let string, let range = rangeOfHost else { return nil }
        let raw = String(string[range])
        return raw.removingPercentEncoding ?? raw
    }
}
