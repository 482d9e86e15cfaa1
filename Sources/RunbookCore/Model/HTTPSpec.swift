/// `http: {method, url, headers, query, json, auth, expect, follow-redirects}`.
public struct HTTPSpec: Sendable {
    /// Upper-case method: GET, HEAD, POST, PUT, PATCH or DELETE (a check only GET or HEAD).
    public var method: Located<String>
    /// The URL template; interpolated values are percent-encoded, except `env.` values (base
    /// URLs), which pass as written.
    public var url: Located<Template>
    /// `headers:`, name to template.
    public var headers: [(String, Located<Template>)]
    /// `query:`, name to template; appended to the URL, percent-encoded.
    public var query: [(String, Located<Template>)]
    /// A JSON body: a YAML value whose strings may interpolate.
    public var json: Located<TemplateValue>?
    /// `auth: bearer`: send `env.api.token`; nil: no Authorization header.
    public var auth: Located<String>?
    /// `expect.status`: statuses that count as success; empty means any 2xx.
    public var expectStatus: [Int]
    /// `follow-redirects:` (default false).
    public var followRedirects: Bool

    /// An HTTP step's spec.
    public init(method: Located<String>, url: Located<Template>, headers: [(String, Located<Template>)] = [],
                query: [(String, Located<Template>)] = [], json: Located<TemplateValue>? = nil, auth: Located<String>? = nil,
                expectStatus: [Int] = [], followRedirects: Bool = false)
    {
        self.method = method
        self.url = url
        self.headers = headers
        self.query = query
        self.json = json
        self.auth = auth
        self.expectStatus = expectStatus
        self.followRedirects = followRedirects
    }
}
