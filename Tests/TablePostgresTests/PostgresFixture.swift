import Testing
import TableDriver
import TableTestSupport

/// The PostgreSQL server `scripts/servers/postgres.sh` started (its `postgres.env` is in the
/// environment), and SQL run on it with psql.
enum PostgresServer {
    static var available: Bool { TestEnvironment.variable("POSTGRES_TEST_PORT") != nil }

    static func value(_ name: String) -> String { TestEnvironment.variable("POSTGRES_TEST_\(name)") ?? "" }

    static var port: String { value("PORT") }
    static var password: String { value("PASSWORD") }

    /// How table-postgres reaches the server: TCP on 127.0.0.1 with a scram password.
    static var conninfo: String {
        "host=\(value("HOST")) port=\(port) dbname=\(value("DATABASE")) user=\(value("USER")) password=\(password)"
    }

    static var control: ServerControl { ServerControl(script: value("CONTROL")) }

    /// Runs SQL as the test user (the owner of the fixture tables).
    static func sql(_ statements: String) throws {
        try psql(["\(conninfo)"], statements)
    }

    /// Runs SQL as the superuser over the server's Unix socket (to end other sessions).
    static func superuserSQL(_ statements: String) throws {
        try psql(["-h", value("SOCKET_DIR"), "-p", port, "-U", "postgres", "-d", value("DATABASE")], statements)
    }

    private static func psql(_ target: [String], _ statements: String) throws {
        let output = try TestEnvironment.capture(value("PSQL"), ["-X", "-q", "-v", "ON_ERROR_STOP=1"] + target, input: statements)
        guard output.status == 0 else { throw DriverError("psql failed with status \(output.status): \(output.stderr)") }
    }
}

/// Fails the run when the servers are required (scripts/check.sh, CI) but were not started.
@Test(.enabled(if: TestEnvironment.serversRequired)) func postgresTestServerIsRunning() {
    #expect(PostgresServer.available, "POSTGRES_TEST_PORT is not set: run scripts/servers/postgres.sh start and source postgres.env")
}

/// Fresh fixture tables (SQLTestData) in the test database, a config file naming them, and
/// table-postgres started on it exactly as smtpd starts it.
struct PostgresFixture: SQLServerFixture {
    static let program = "table-postgres"
    static let placeholder = "$1"
    static let product = "PostgreSQL"
    let directory: String
    var config: String { "\(directory)/postgres.conf" }

    static let queries = """
        query_alias SELECT destination FROM virtuals WHERE email = $1
        query_domain SELECT domain FROM domains WHERE domain = $1
        query_credentials SELECT email, password FROM credentials WHERE email = $1
        query_netaddr SELECT address FROM networks WHERE address = $1
        query_userinfo SELECT uid, gid, maildir FROM users WHERE login = $1
        query_source SELECT address FROM relays WHERE address = $1
        query_mailaddr SELECT email FROM virtuals WHERE email = $1
        query_addrname SELECT name FROM names WHERE address = $1::text
        query_mailaddrmap SELECT address FROM senders WHERE login = $1 OR $1 = 'everyone'
        fetch_source SELECT address FROM relays
        fetch_source_refresh 2
        """

    static let timeout = 2.0

    init(_ body: String = Self.queries) throws {
        directory = TestEnvironment.makeTemporaryDirectory("table-postgres")
        try PostgresServer.sql(SQLTestData.script(.postgres))
        try writeConfig(body)
    }

    func writeConfig(_ body: String, connection: String) throws {
        try TestEnvironment.write("# test config\n\(connection)\ntimeout \(Int(Self.timeout))\n\(body)\n", to: config, mode: 0o600)
    }

    /// Writes the config with another conninfo.
    func writeConfig(_ body: String, conninfo: String) throws {
        try writeConfig(body, connection: "conninfo \(conninfo)")
    }

    static var server: ServerControl { PostgresServer.control }
    static var serverPort: Int { Int(PostgresServer.port) ?? 0 }

    static let connection: @Sendable (_ host: String, _ port: Int) -> String = { host, port in
        "conninfo host=\(host) port=\(port) dbname=\(PostgresServer.value("DATABASE")) user=\(PostgresServer.value("USER")) password=\(PostgresServer.password)"
    }

    static func endSessions() throws {
        try PostgresServer.superuserSQL("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '\(PostgresServer.value("USER"))' AND pid <> pg_backend_pid();")
    }

    static func widenTheNameColumn() throws {
        try PostgresServer.sql("ALTER TABLE names ALTER COLUMN name TYPE varchar(200);")
    }

    static let secondParameter = (line: "query_domain SELECT domain FROM domains WHERE domain = $1 OR domain = $2::text",
                                  message: "query_domain: uses $2; only $1 (the key) is given")
    static let missingTableMessage = "relation \"nosuchtable\" does not exist"
    static let unreachableConnection = "conninfo host=127.0.0.1 port=1 dbname=mail"
    static let otherDomainOnlyQuery = "query_domain SELECT 'other.example' WHERE $1 = 'other.example'"

    /// idle_session_timeout for the test user.
    static func closeIdleSessionsSoon() throws -> (wait: Double, restore: () -> Void) {
        let user = PostgresServer.value("USER")
        try PostgresServer.superuserSQL("ALTER ROLE \(user) SET idle_session_timeout = '500ms';")
        return (1.2, { try? PostgresServer.superuserSQL("ALTER ROLE \(user) RESET idle_session_timeout;") })
    }
}
