#if canImport(Testing)
import TableDriver

/// How a cache test makes a table's server unable to answer (issue 13, item 3).
package enum Outage: String, Sendable, CaseIterable {
    /// The server halted (its script's `halt`): a connection is refused at once.
    case stopped
    /// Every thread of the server stopped by SIGSTOP (its script's `freeze`): a request
    /// waits out the table's timeout.
    case frozen
    /// The database locked by another process past the timeout (SQLite's busy timeout).
    case locked
    /// The server ends the table's sessions (`pg_terminate_backend`, MariaDB `KILL`, Redis
    /// `CLIENT KILL`, a restart) and goes on serving.
    case killed

    /// How long a request may take during the outage: at once when the server is down (a
    /// refused connect, never a timeout), the timeout + 1 s when it hangs or was killed.
    package func bound(timeout: Double) -> Double {
        self == .stopped ? 1 : timeout + 1
    }

    /// Whether the server still answers a new session: after a killed one, it does.
    var serverAnswers: Bool { self == .killed }
}

/// A backend as the answer cache checks (CacheChecks) see it: a config serving `alias`
/// (and `auth` where the backend has it) with cache keywords added, rows the test sets on
/// the real server, and the outages its server can be put through. Each backend's test
/// target makes its fixture conform; the checks are written once.
package protocol CacheFixture: TableFixture {
    /// A fixture on fresh data of its own on the server.
    static func make() throws -> Self
    /// The `timeout` (seconds) `writeCacheConfig` writes.
    static var timeout: Double { get }
    /// Writes the config: the connection, `timeout`, `alias` (and `auth`), then the `cache`
    /// lines (empty: no cache, the config as it was before issue 13).
    func writeCacheConfig(_ cache: String) throws
    /// Makes `lookup alias key` answer `found|value` on the server (nil: not-found).
    func setAlias(_ key: String, to value: String?) throws
    /// The outages this server can be put through, the quickest first.
    static var outages: [Outage] { get }
    /// Starts an outage; `end` ends it (the server answers again when it returns).
    func begin(_ outage: Outage) throws
    func end(_ outage: Outage) throws
    /// The `check auth` user, its password, and the one `changePassword` gives it; nil for
    /// a backend without an auth service.
    static var auth: (user: String, password: String, newPassword: String)? { get }
    func changePassword() throws
}

extension CacheFixture {
    package static var auth: (user: String, password: String, newPassword: String)? { nil }
    package func changePassword() throws {}

    /// The checks that apply to this backend: its outages, and the auth check only where
    /// it has auth.
    package static var cacheChecks: [CacheCheck] {
        outages.map { .servedFromTheCache(during: $0) }
            + CacheCheck.others.filter { $0 != .authIsNeverAnsweredFromTheCache || auth != nil }
    }
}

/// A SQL backend's cache fixture: rows in the `virtuals` and `credentials` tables of
/// SQLTestData, changed with SQL.
package protocol SQLCacheFixture: CacheFixture, SQLTableFixture {
    /// Runs SQL statements on the fixture's database.
    func execute(_ statements: String) throws
    /// Writes the config with `body` after the connection lines (and the timeout).
    func writeBody(_ body: String) throws
}

extension SQLCacheFixture {
    /// A fixture on fresh SQLTestData.
    package static func make() throws -> Self { try Self(queries) }

    /// The fixture's queries and an auth query on `credentials`, then `cache`.
    package func writeCacheConfig(_ cache: String) throws {
        try writeBody(Self.queries + "\nquery_auth SELECT password FROM credentials WHERE email = \(Self.placeholder)\n" + cache)
    }

    package func setAlias(_ key: String, to value: String?) throws {
        var statements = "DELETE FROM virtuals WHERE email = '\(key)';\n"
        if let value { statements += "INSERT INTO virtuals (email, destination) VALUES ('\(key)', '\(value)');\n" }
        try execute(statements)
    }

    /// alice's password is alice-secret (SQLTestData); bob's hash makes it bob-secret.
    package static var auth: (user: String, password: String, newPassword: String)? {
        ("alice@example.org", "alice-secret", "bob-secret")
    }

    package func changePassword() throws {
        try execute("UPDATE credentials SET password = '\(SQLTestData.bobHash)' WHERE email = 'alice@example.org';\n")
    }
}

extension SQLCacheFixture where Self: SQLServerFixture {
    package func writeBody(_ body: String) throws { try writeConfig(body) }

    package static var outages: [Outage] { [.stopped, .frozen, .killed] }

    /// Through the server's script (halt/resume, freeze/thaw), and `endSessions`.
    package func begin(_ outage: Outage) throws {
        switch outage {
        case .stopped: try Self.server.halt()
        case .frozen: try Self.server.freeze()
        case .killed: try Self.endSessions()
        case .locked: throw DriverError("\(Self.program): no locked outage")
        }
    }

    package func end(_ outage: Outage) throws {
        switch outage {
        case .stopped: try Self.server.resume()
        case .frozen: try Self.server.thaw()
        case .killed, .locked: break
        }
    }
}
#endif
