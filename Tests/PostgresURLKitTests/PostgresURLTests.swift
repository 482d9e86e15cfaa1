import PostgresNIO
import PostgresURLKit
import Testing

/// The one PostgreSQL URL parser, with the cases of both its callers: the runbook's drivers
/// and ledger (`database.url`, `ledger.url`) and etl-core (`ETL_DATABASE_URL`).
@Suite("PostgreSQL URLs")
struct PostgresURLTests {
    @Test("parts, sslmode, connect_timeout, and no password in descriptions")
    func parts() throws {
        let url = try PostgresURL("postgres://etl:p%40ss@db.example.com:6543/etl?sslmode=require&connect_timeout=3&application_name=probe")
        #expect(url.host == "db.example.com")
        #expect(url.port == 6543)
        #expect(url.user == "etl")
        #expect(url.password == "p@ss")
        #expect(url.database == "etl")
        #expect(url.sslMode == .require)
        #expect(url.connectTimeout == .seconds(3))
        #expect(url.applicationName == "probe")
        #expect(!url.description.contains("p@ss"))
        #expect(url.endpoint == "db.example.com:6543")
        #expect(url.location == "db.example.com:6543/etl")
        let local = try PostgresURL("postgresql://etl@localhost/etl")
        #expect(local.port == 5432)
        #expect(local.sslMode == .prefer)
        #expect(local.isLoopback)
        #expect(try PostgresURL("postgres://u@127.0.0.1:1").database == "u")
    }

    @Test("hosts as written: names, IPv6 literals, a Unix socket folder")
    func hosts() throws {
        #expect(try PostgresURL("postgres://etl@db.example.com:6543/etl").host == "db.example.com")
        #expect(try PostgresURL("postgres://etl@[::1]:5432/etl").host == "::1")
        #expect(try PostgresURL("postgres://etl@[::1]:5432/etl").isLoopback)
        #expect(try PostgresURL("postgres://etl@[::1]:5432/etl").endpoint == "[::1]:5432")
        let socket = try PostgresURL("postgres://etl@/etl?host=/var/run/postgresql")
        #expect(socket.host == "127.0.0.1")
        #expect(socket.socketDirectory == "/var/run/postgresql")
        #expect(socket.endpoint == "/var/run/postgresql/.s.PGSQL.5432")
    }

    @Test("etl-core's settings: a percent-encoded password, another database of the same server")
    func etlCore() throws {
        let url = try PostgresURL("postgres://etl:s%40cret@db.example:6543/etl_prod?sslmode=disable")
        #expect(url.password == "s@cret")
        #expect(url.sslMode == .disable)
        #expect(url.location == "db.example:6543/etl_prod")
        #expect(!url.location.contains("cret") && !url.description.contains("cret"))
        let other = url.with(database: "etl_test_1")
        #expect(other.database == "etl_test_1" && other.host == "db.example" && other.password == "s@cret")
    }

    @Test("refused: another scheme, no user, an unknown sslmode, a bad connect_timeout; never the password",
          arguments: [
            ("mysql://u:pw@h/db", "postgres://"),
            ("postgres://h/db", "user name"),
            ("postgres://u:pw@h/db?sslmode=sometimes", "sslmode"),
            ("postgres://u:pw@h/db?connect_timeout=soon", "connect_timeout"),
          ])
    func refused(text: String, mentions: String) {
        do {
            _ = try PostgresURL(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.code == .configuration)
            #expect(error.message.contains(mentions))
            #expect(!error.message.contains("pw"))
        }
    }

    @Test("TLS as libpq: none on loopback for prefer, unverified for require, verified for verify-full")
    func tls() throws {
        guard case .disable = try PostgresURL("postgres://u@127.0.0.1/db").tlsChoice() else { Issue.record("loopback prefer"); return }
        guard case .prefer(let remote) = try PostgresURL("postgres://u@db.example/db").tlsChoice() else { Issue.record("remote prefer"); return }
        #expect(remote.certificateVerification == .none)
        guard case .require(let required) = try PostgresURL("postgres://u@db.example/db?sslmode=require").tlsChoice() else { Issue.record("require"); return }
        #expect(required.certificateVerification == .none)
        guard case .require(let full) = try PostgresURL("postgres://u@db.example/db?sslmode=verify-full").tlsChoice() else { Issue.record("verify-full"); return }
        #expect(full.certificateVerification == .fullVerification)
        let unreadable = try PostgresURL("postgres://u@db.example/db?sslmode=verify-ca&sslrootcert=/nonexistent/root.pem")
        #expect(throws: PostgresURLError.self) { try unreadable.tlsChoice() }
    }

    @Test("pool configuration: the URL's connect_timeout and application_name win; none sent unless asked")
    func configuration() throws {
        let url = try PostgresURL("postgres://u:pw@127.0.0.1:6543/db?connect_timeout=2&application_name=mine")
        let config = try url.clientConfiguration(connectTimeout: .seconds(9), maxConnections: 3, applicationName: "runbook")
        #expect(config.options.connectTimeout == .seconds(2))
        #expect(config.options.maximumConnections == 3)
        #expect(config.options.additionalStartupParameters.map(\.1) == ["mine"])
        let plain = try PostgresURL("postgres://u@127.0.0.1/db").clientConfiguration(connectTimeout: .seconds(5))
        #expect(plain.options.connectTimeout == .seconds(5))
        #expect(plain.options.additionalStartupParameters.isEmpty)
    }
}
